"""Abnormal shipments (异常件登记): cases from first report to the buyer holding the goods.

A case belongs to an order and has a kind; its playbook (:mod:`cstool.cases.playbooks`)
says what to do, in which order and by when. Every change is an event appended
to the case's timeline (who, when, what); the case row carries the state the
timeline implies (status, next step, due time, money totals), recomputed by
:func:`derive` and written in the same transaction. Nothing is edited in place.

Steps are done by what the agent records: photos complete the photos step once
there are enough, choosing a resolution ends "decide", a new tracking number
completes a reship, an amount completes the step that pays or claims it; the
rest are marked with ``done``. Steps after the kind's first ones (the
resolution's steps) need the kind's photos first: no reship of a damaged
parcel without 2 photos.

Money is integer fen. Compensation is positive when the shop pays the buyer
and negative when the buyer pays the difference (多退少补); refunds and freight
the shop pays are money out; claims are money the courier owes back.

This module writes: :func:`log`, :func:`update`, :func:`close`; reading is
:mod:`cstool.cases.views`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Optional

from cstool.cases.playbooks import (
    FOLLOW_KEYS,
    KIND,
    MONEY,
    MONEY_FOR_RESOLUTION,
    OUTCOME,
    PAYER,
    PLAYBOOKS,
    RESOLUTION,
    STATUS,
    STEP,
    WAITS_STATUS,
    Step,
    course,
    default_resolution,
    lead_keys,
    min_photos,
    resolutions_for,
)
from cstool.cases.present import _at, present, shop_policy
from cstool.core import evidence
from cstool.core.clock import to_db
from cstool.core.errors import BadUsage, InputError, NotFound
from cstool.core.i18n import M_
from cstool.core.orders import require
from cstool.core.values import Money

MONEY_COLUMNS = {"compensation": "compensation_fen", "refund": "refund_fen",
                 "freight": "freight_fen", "claim": "claim_fen"}



# --- the timeline and the state it implies -----------------------------------------


class State:
    """What a case's timeline implies: its status, course, next step and totals."""

    def __init__(self, status: str, resolution: Optional[str], step: Optional[Step],
                 due_at: Optional[str], steps: list[Step], done: dict[str, str]):
        self.status, self.resolution, self.step, self.due_at = status, resolution, step, due_at
        self.steps = steps
        self.done = done  # step key -> when it was done
        self.photos = 0
        self.money: dict[str, int] = dict.fromkeys(MONEY_COLUMNS, 0)
        self.freight_payer: Optional[str] = None
        self.return_freight_payer: Optional[str] = None
        self.reship_courier: Optional[str] = None
        self.reship_tracking: Optional[str] = None
        self.outcome: Optional[str] = None
        self.closed_at: Optional[str] = None
        self.closed_by: Optional[str] = None
        self.updated_at: Optional[str] = None
        self.updated_by: Optional[str] = None


def _add_hours(at: str, hours: int) -> str:
    return to_db(_at(at) + timedelta(hours=hours))


def derive(kind: str, opened_at: str, events: Sequence[dict], policy) -> State:
    """The state of a case after ``events`` (dicts of ``exception_events`` rows, in order)."""
    resolution: Optional[str] = None
    resolution_at = opened_at
    override: Optional[str] = None
    done: dict[str, str] = {}
    st = State("open", None, None, None, [], done)
    for e in events:
        a = e["action"]
        if a == "resolution":
            resolution, resolution_at, override = e["value"], e["at"], None
        elif a == "step":
            done.setdefault(e["step"], e["at"])
            override = None
        elif a == "status":
            override = e["value"]
        elif a == "photo":
            st.photos += 1
        elif a == "money":
            st.money[e["value"]] += e["amount_fen"]
        elif a == "freight_payer":
            leg, _, payer = e["value"].partition(":")
            if leg in ("both", "reship"):
                st.freight_payer = payer
            if leg in ("both", "return"):
                st.return_freight_payer = payer
        elif a == "tracking":
            st.reship_courier, st.reship_tracking = e["value"], e["tracking_no"]
        elif a == "closed":
            st.outcome, st.closed_at, st.closed_by = e["value"], e["at"], e["agent"]
        if a != "opened":
            st.updated_at, st.updated_by = e["at"], e["agent"]
    st.resolution = resolution
    st.steps = course(kind, resolution, policy)
    lead = lead_keys(kind)
    for i, s in enumerate(() if st.closed_at else st.steps):
        if s.key in done:
            continue
        st.step = s
        if s.hours is not None:
            # A step's clock starts when the step before it is done (or the
            # case opened, or the resolution it belongs to was chosen).
            anchors = [opened_at] + [done[p.key] for p in st.steps[:i] if p.key in done]
            if s.key not in lead:
                anchors.append(resolution_at)
            st.due_at = _add_hours(max(anchors), s.hours)
        break
    if st.closed_at:
        st.status = "closed"
    elif override:
        st.status = override
    elif st.step is None:
        st.status = "resolved"
    else:
        st.status = WAITS_STATUS[st.step.waits]
    return st


class _Case:
    """A case being written: its row, its timeline so far, and the events to add."""

    def __init__(self, journal, row, policy, agent: str, now_db: str):
        self.journal, self.row, self.policy = journal, dict(row), policy
        self.agent, self.now = agent, now_db
        self.events: list[dict] = [dict(r) for r in journal.query(
            "SELECT * FROM exception_events WHERE exception_id = ? ORDER BY id", [row["id"]])]
        self.new: list[dict] = []
        self.photo_rows: list[tuple[dict, dict]] = []

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def kind(self) -> str:
        return self.row["kind"]

    def state(self) -> State:
        return derive(self.kind, self.row["opened_at"], self.events + self.new, self.policy)

    def add(self, action: str, **fields: Any) -> dict:
        e = {"action": action, "at": self.now, "agent": self.agent, "step": None, "value": None,
             "tracking_no": None, "amount_fen": None, "note": None, **fields}
        self.new.append(e)
        return e

    def pending(self, done_by: str) -> Optional[Step]:
        st = self.state()
        for s in st.steps:
            if s.key not in st.done and s.done_by == done_by:
                return s
        return None

    def gate(self, step: Step) -> None:
        """Resolution steps wait for the kind's photos (2–3 photos before a damaged reship)."""
        if step.key in lead_keys(self.kind):
            return
        need, have = min_photos(self.kind, self.policy), self.state().photos
        if have < need:
            raise InputError(
                M_("a {kind} case needs {need} photo(s) before '{key}' ({have} on file); "
                   "add them with --photo", kind=KIND.word(self.kind), need=need,
                   key=STEP.word(step.key), have=have))

    def complete(self, step: Step, note: Optional[str] = None) -> None:
        self.gate(step)
        self.add("step", step=step.key, note=note)

    def auto(self, done_by: str, note: str) -> Optional[Step]:
        step = self.pending(done_by)
        if step is not None:
            self.complete(step, note)
        return step

    def save(self) -> None:
        """Append the new events (and photo records) and rewrite the derived state."""
        for e in self.new:
            cur = self.journal.execute(
                "INSERT INTO exception_events (exception_id, at, agent, action, step, value, "
                "tracking_no, amount_fen, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [self.id, e["at"], e["agent"], e["action"], e["step"], e["value"],
                 e["tracking_no"], e["amount_fen"], e["note"]])
            e["id"] = cur.lastrowid
        for e, photo in self.photo_rows:
            self.journal.execute(
                "INSERT INTO exception_photos (exception_id, event_id, path, sha256, bytes, type, "
                "source_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [self.id, e["id"], photo["path"], photo["sha256"], photo["bytes"], photo["type"],
                 photo["source_name"]])
        st = self.state()
        self.journal.execute(
            "UPDATE exceptions SET status = ?, resolution = ?, step = ?, next_step = ?, "
            "due_at = ?, reship_courier = ?, reship_tracking = ?, freight_payer = ?, "
            "return_freight_payer = ?, photos = ?, compensation_fen = ?, refund_fen = ?, "
            "freight_fen = ?, claim_fen = ?, outcome = ?, updated_by = ?, updated_at = ?, "
            "closed_by = ?, closed_at = ? WHERE id = ?",
            [st.status, st.resolution, st.step.key if st.step else None,
             st.step.text if st.step else None, st.due_at, st.reship_courier,
             st.reship_tracking, st.freight_payer, st.return_freight_payer, st.photos,
             st.money["compensation"], st.money["refund"], st.money["freight"],
             st.money["claim"], st.outcome, st.updated_by, st.updated_at, st.closed_by,
             st.closed_at, self.id])
        self.events += self.new
        self.new = []


def get(ctx, case_id) -> dict:
    """A case as the contract's object, at ``ctx``'s now."""
    return present(_load(ctx.journal, case_id), ctx.now_db())


# --- recording ---------------------------------------------------------------------


def _check_photos(paths: Sequence[str]) -> list[tuple[str, str]]:
    """Check every photo before anything is written; returns (path, sha256) pairs."""
    import hashlib  # only when photos are handled: it costs start-up

    seen: dict[str, str] = {}
    out = []
    for p in paths:
        evidence.check(p)
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                h.update(chunk)
        digest = h.hexdigest()
        if digest in seen:
            raise InputError(M_("photo {p} is the same picture as {seen}", p=p,
                                seen=seen[digest]))
        seen[digest] = p
        out.append((p, digest))
    return out


def _record(case: _Case, *, photos: Sequence[tuple[str, str]] = (), copied: list[str],
            resolution: Optional[str] = None, resolution_note: Optional[str] = None,
            freight_payer: Optional[str] = None, return_freight_payer: Optional[str] = None,
            tracking: Optional[str] = None, courier: Optional[str] = None,
            amount: Optional[int] = None, money_for: Optional[str] = None,
            again: bool = False, done: bool = False, step_key: Optional[str] = None,
            status: Optional[str] = None, note: Optional[str] = None) -> None:
    """Turn what the agent gave into timeline events, in a fixed order."""
    before = case.state().step
    if photos:
        known = {r["sha256"]: r["path"] for r in case.journal.query(
            "SELECT sha256, path FROM exception_photos WHERE exception_id = ?", [case.id])}
        for path, digest in photos:
            if digest in known:
                raise InputError(M_("photo {path} is already on file for case {id} as "
                                    "{known}", path=path, id=case.id, known=known[digest]))
        for path, _digest in photos:
            stored = evidence.store(case.journal.path, path, buyer=case.row["buyer"] or "unknown",
                                    ref=str(case.id))
            copied.append(stored["path"])
            e = case.add("photo", value=stored["path"])
            case.photo_rows.append((e, {**stored, "source_name": os.path.basename(path)}))
        need = min_photos(case.kind, case.policy)
        if case.state().photos >= need:
            case.auto("photos", f"{case.state().photos} photo(s) on file")
    if freight_payer:
        case.add("freight_payer", value=f"both:{freight_payer}")
    if return_freight_payer:
        case.add("freight_payer", value=f"return:{return_freight_payer}")
    if resolution and resolution != case.state().resolution:
        allowed = resolutions_for(case.kind, case.policy)
        if resolution not in allowed:
            raise BadUsage(
                M_("{kind} ({label}) does not allow resolution {resolution} ({label2}); "
                   "allowed: {items}", kind=case.kind, label=KIND.label(case.kind),
                   resolution=resolution, label2=RESOLUTION.label(resolution),
                   items=", ".join(f"{r} ({RESOLUTION.label(r)})" for r in allowed)))
        case.add("resolution", value=resolution, note=resolution_note)
    if courier and not tracking:
        raise BadUsage(M_("--courier goes with --tracking (the courier of the new parcel)"))
    if tracking:
        state = case.state()
        if state.resolution == "switch_courier" and not courier:
            raise BadUsage(M_("a switch of courier needs the new courier: give --courier"))
        courier = courier or state.reship_courier or case.row["courier"]
        step = case.pending("tracking")
        if step is None and state.resolution is None:
            raise BadUsage(M_("case {id} has no resolution yet; give it with the tracking "
                              "number, e.g. --resolution reship", id=case.id))
        case.add("tracking", value=courier, tracking_no=tracking)
        if step is not None:
            case.complete(step, f"{courier or ''} {tracking}".strip())
    if amount is not None:
        kind = money_for or MONEY_FOR_RESOLUTION.get(case.state().resolution or "")
        if kind is None:
            raise BadUsage(M_("say what the amount is with --for "
                              "compensation|refund|freight|claim"))
        if amount == 0:
            raise BadUsage(M_("the amount is zero; give the amount paid or claimed"), "--amount")
        if not again:
            _refuse_repeat(case, kind, amount)
        total = case.state().money[kind] + amount
        if kind != "compensation" and total < 0:
            raise InputError(M_("that would make the case's {kind} negative ({total}); a "
                                "correction cannot exceed what was recorded", kind=kind,
                                total=Money(total)))
        case.add("money", value=kind, amount_fen=amount)
        case.auto(f"money:{kind}", f"{kind} {Money(amount)}")
    if done or step_key:
        state = case.state()
        if step_key:
            step_key = STEP.get(step_key) or step_key  # 核实 is verify
            target = next((s for s in state.steps if s.key == step_key), None)
            if target is None:
                raise BadUsage(M_("case {id} has no step {step_key} now; its steps: {items}",
                                  id=case.id, step_key=repr(step_key),
                                  items=STEP.listed(s.key for s in state.steps)))
            if step_key in state.done:
                raise InputError(M_("step {step_key} of case {id} is already done",
                                    step_key=STEP.word(step_key), id=case.id))
        else:
            # --done means the step that was next when the command started;
            # if what else was given already did it, there is nothing more to do.
            target = before if before is not None and before.key not in state.done else None
            if target is None and before is None:
                raise InputError(M_("case {id} has no step left; close it with: cstool "
                                    "exception close {id} --outcome ...", id=case.id))
        if target is not None:
            _mark_done(case, target)
    if status:
        if status == "closed":
            raise BadUsage(M_("close a case with: cstool exception close {id} --outcome ...",
                              id=case.id))
        case.add("status", value=status)
    if note:
        case.add("note", note=note)


def _refuse_repeat(case: _Case, kind: str, amount: int) -> None:
    """An amount equal to the case's last money entry is an agent's retry until proven
    otherwise: counting it twice would pay the buyer twice without a word."""
    last = next((e for e in reversed(case.events + case.new) if e["action"] == "money"), None)
    if last is None or last["value"] != kind or last["amount_fen"] != amount:
        return
    raise InputError(
        M_("refused: the last money entry on case {id} is already {kind} {amount} (by "
           "{agent}); {kind} so far {money}. If this is a second payment, give --again",
           id=case.id, kind=kind, amount=Money(amount), agent=last['agent'],
           money=Money(case.state().money[kind])))


def _mark_done(case: _Case, step: Step) -> None:
    how = step.done_by
    if how == "resolution":
        allowed = resolutions_for(case.kind, case.policy)
        raise InputError(M_("step {key} is done by choosing a resolution: --resolution "
                            "{items}", key=STEP.word(step.key),
                            items=RESOLUTION.listed(allowed, "|")))
    if how == "photos":
        need, have = min_photos(case.kind, case.policy), case.state().photos
        if have < need:
            raise InputError(M_("step {key} needs {need} photo(s) ({have} on file); add "
                                "them with --photo", key=STEP.word(step.key), need=need,
                                have=have))
    elif how == "tracking":
        raise InputError(M_("step {key} is done by recording the new tracking number: "
                            "--tracking NUMBER", key=STEP.word(step.key)))
    elif how and how.startswith("money:"):
        kind = how.split(":", 1)[1]
        raise InputError(M_("step {key} is done by recording the amount: --amount X --for "
                            "{kind}", key=STEP.word(step.key), kind=MONEY.word(kind)))
    case.complete(step)


def _run(journal, fn, photos: bool = False):
    """Run ``fn(copied)`` in one transaction; its photos appear only once it commits
    (on failure they are removed)."""
    if photos:
        evidence.sweep(journal)
    copied: list[str] = []
    try:
        with journal.write():
            result = fn(copied)
    except BaseException:
        for rel in copied:
            evidence.remove(journal.path, rel)
        raise
    evidence.publish(journal.path, copied)
    return result


def log(ctx, order_id: str, kind: str, detail: str, *,
        photos: Sequence[str] = (), resolution: Optional[str] = None,
        freight_payer: Optional[str] = None, amount: Optional[int] = None,
        money_for: Optional[str] = None, again: bool = False) -> dict:
    """Open a case on an order, by ``ctx.agent``. Returns the case (see
    :func:`cstool.cases.views.present`)."""
    journal, policy, agent, now_db = ctx.journal, ctx.policy, ctx.agent, ctx.now_db()
    kind = KIND(kind)
    detail = (detail or "").strip()
    if not detail:
        raise BadUsage(M_("say what happened with --detail"))
    resolution = RESOLUTION(resolution) if resolution else None
    freight_payer = PAYER(freight_payer) if freight_payer else None
    money_for = MONEY(money_for) if money_for else None
    checked = _check_photos(photos)

    def write(copied: list[str]) -> int:
        order = require(journal, order_id, ctx.scope)
        oid, platform = order["order_id"], order["platform"]
        own = policy.shop(order["shop"])
        if order["status"] == "unpaid":
            raise InputError(M_("order {oid} is unpaid; an abnormal shipment needs a paid "
                                "order", oid=oid))
        if not again:
            dup = journal.one(
                "SELECT id, opened_by, opened_at FROM exceptions WHERE order_id = ? "
                "AND platform = ? AND kind = ? AND closed_at IS NULL ORDER BY id LIMIT 1",
                [oid, platform, kind])
            if dup:
                raise InputError(
                    M_("order {oid} already has an open {kind} case ({id}, logged by "
                       "{opened_by}); add to it with: cstool exception update {id} (or log "
                       "another with --again)", oid=oid, kind=kind, id=dup['id'],
                       opened_by=dup['opened_by']))
        cur = journal.execute(
            "INSERT INTO exceptions (order_id, platform, buyer, kind, detail, courier, "
            "tracking_no, status, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            [oid, platform, order["buyer"], kind, detail, order["courier"] or None,
             order["tracking_no"] or None, agent, now_db])
        row = journal.one("SELECT * FROM exceptions WHERE id = ?", [cur.lastrowid])
        case = _Case(journal, row, own, agent, now_db)
        case.add("opened", value=kind, note=detail)
        # Who pays the freight: as given, else as the manual says for the kind.
        out_payer, back_payer = (freight_payer, freight_payer) if freight_payer \
            else PLAYBOOKS[kind].freight
        if out_payer and out_payer == back_payer:
            case.add("freight_payer", value=f"both:{out_payer}", note=None if freight_payer
                     else "playbook default")
        else:
            for leg, payer in (("reship", out_payer), ("return", back_payer)):
                if payer:
                    case.add("freight_payer", value=f"{leg}:{payer}", note="playbook default")
        chosen = resolution or default_resolution(kind, own)
        _record(case, photos=checked, copied=copied, resolution=chosen,
                resolution_note=None if resolution else "playbook default",
                amount=amount, money_for=money_for)
        case.save()
        return case.id

    return get(ctx, _run(journal, write, bool(photos)))


def _load(journal, case_id) -> Any:
    try:
        n = int(str(case_id).lstrip("#"))
    except ValueError:
        raise BadUsage(M_("{case_id} is not a case id (a number, as printed by exception "
                          "log)", case_id=repr(case_id))) \
            from None
    row = journal.one("SELECT * FROM exceptions WHERE id = ?", [n]) if 0 < n < 2 ** 63 else None
    if row is None:
        raise NotFound(M_("no exception case {n}; see: cstool exception list", n=n))
    return row


def update(ctx, case_id, *,
           status: Optional[str] = None, resolution: Optional[str] = None,
           note: Optional[str] = None, photos: Sequence[str] = (),
           tracking: Optional[str] = None, courier: Optional[str] = None,
           amount: Optional[int] = None, money_for: Optional[str] = None,
           freight_payer: Optional[str] = None, return_freight_payer: Optional[str] = None,
           done: bool = False, step: Optional[str] = None, again: bool = False) -> dict:
    """Append to a case's timeline. Returns the case.

    An amount equal to the case's last money entry (same kind, same amount) is
    refused as a retry unless ``again`` says it is a second payment."""
    journal, policy, agent, now_db = ctx.journal, ctx.policy, ctx.agent, ctx.now_db()
    status = STATUS(status) if status else None
    resolution = RESOLUTION(resolution) if resolution else None
    money_for = MONEY(money_for) if money_for else None
    freight_payer = PAYER(freight_payer) if freight_payer else None
    return_freight_payer = PAYER(return_freight_payer) if return_freight_payer else None
    tracking = (tracking or "").strip() or None
    courier = (courier or "").strip() or None
    note = (note or "").strip() or None
    checked = _check_photos(photos)

    def write(copied: list[str]) -> int:
        row = _load(journal, case_id)
        if row["closed_at"]:
            raise InputError(M_("case {id} is closed ({outcome}); log a new exception if "
                                "the problem came back", id=row['id'], outcome=row['outcome']))
        case = _Case(journal, row, shop_policy(journal, policy, row), agent, now_db)
        _record(case, photos=checked, copied=copied, resolution=resolution,
                freight_payer=freight_payer, return_freight_payer=return_freight_payer,
                tracking=tracking, courier=courier, amount=amount, money_for=money_for,
                again=again, done=done, step_key=step, status=status, note=note)
        if not case.new:
            raise InputError(M_("nothing changed on case {id}", id=row['id']))
        case.save()
        return row["id"]

    return get(ctx, _run(journal, write, bool(photos)))


def close(ctx, case_id, outcome: str, note: Optional[str] = None) -> dict:
    """Close a case with its outcome. Returns the case, with ``pending``: steps left undone."""
    journal, policy, agent, now_db = ctx.journal, ctx.policy, ctx.agent, ctx.now_db()
    outcome = OUTCOME(outcome)

    def write(copied: list[str]) -> tuple[int, list[str]]:
        row = _load(journal, case_id)
        if row["closed_at"]:
            raise InputError(M_("case {id} is already closed ({outcome}, by {closed_by})",
                                id=row['id'], outcome=row['outcome'], closed_by=row['closed_by']))
        case = _Case(journal, row, shop_policy(journal, policy, row), agent, now_db)
        st = case.state()
        # Following the parcel ends with the case; anything else left is worth a warning
        # (a claim not filed, freight not refunded).
        pending = [s.key for s in st.steps if s.key not in st.done and s.key not in FOLLOW_KEYS]
        case.add("closed", value=outcome, note=(note or "").strip() or None)
        case.save()
        return row["id"], pending

    cid, pending = _run(journal, write)
    return {**get(ctx, cid), "pending": pending}


