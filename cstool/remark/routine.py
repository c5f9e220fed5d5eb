"""The remark routine (卖家备注): its policy keys and flag presets, its part of the order
view (remarks and the holds they opened), of the daily report, and the import's hook
that parses the platform's memos."""

from __future__ import annotations

from cstool.core.contract import Routine
from cstool.core.orders import instant
from cstool.core.policy import FLAG_SCHEMES, Key, whole
from cstool.core.values import Memo
from cstool.remark.flags import parse_verify


class Remark(Routine):
    name = "remark"
    cli = ("remark",)
    keys = (
        Key("remark.memo_max_bytes", 1000, whole(50, 100_000, "bytes"),
            "the platform's seller-memo limit (UTF-8 bytes)"),
        Key("remark.verify_buyer", ["address", "cancel"], parse_verify,
            "remarks that need --verified-buyer: kinds and/or cancel (address,attr,slip,cancel)"),
    )
    presets = {
        "flags-team": ("flag colours by team (002): red pre-sale, blue after-sale, purple brushing",
                       {"flag_scheme": FLAG_SCHEMES["team"]}),
        "flags-shipping": ("flag colours by shipping state (003): yellow ship, red problem, "
                           "green submitted, purple return",
                           {"flag_scheme": FLAG_SCHEMES["shipping"]}),
    }
    manuals = {"manual-002": {"flag_scheme": FLAG_SCHEMES["team"]},
               "manual-003": {"flag_scheme": FLAG_SCHEMES["shipping"]}}
    sections = (("remark_problems_by_agent", "备注问题 Remark problems by agent"),)
    # the order's remarks come first in its view; keys and presets after shipcheck's
    place = {"order_view": 11, "keys": 35, "presets": 35}

    def order_view(self, ctx, order_id):
        import json

        journal = ctx.journal
        key = [order_id, ctx.scope.platform or "taobao"]
        return {
            "remarks": [
                {"id": r["id"], "source": r["source"], "kind": r["kind"], "flag": r["flag"],
                 "text": Memo(r["text"]), "author": r["author"] or r["created_by"],
                 "at": instant(r["at"]), "recorded_at": instant(r["created_at"]),
                 "problems": json.loads(r["problems"]) if r["problems"] else []}
                for r in journal.query("SELECT * FROM remarks WHERE order_id = ? AND platform = ? "
                                       "ORDER BY id", key)],
            "holds": [
                {"id": r["id"], "kind": r["kind"], "until": r["until"], "owner": r["owner"],
                 "created_at": instant(r["created_at"]),
                 "released_at": instant(r["released_at"])}
                for r in journal.query("SELECT * FROM holds WHERE order_id = ? AND platform = ? "
                                       "ORDER BY id", key)],
        }

    def daily(self, ctx, since, until):
        # the parser's expressions are compiled on import: not for every cron run
        from cstool.remark import lint

        return {"remark_problems_by_agent": lint.lint_by_agent(lint.lint(ctx, since=since))}

    def import_hook(self, ctx):
        from cstool.remark.hook import ImportedMemos

        return ImportedMemos(ctx)


ROUTINE = Remark()
