"""The whole policy: the contract's keys, remind's, and every routine's; the presets.

A manual's preset (``manual-000`` …) is what each routine sets for that manual; a
routine's own presets (``chase-000``, ``flags-team`` …) follow, routine by routine.
"""

from __future__ import annotations

from typing import Any

from cstool.app import routines
from cstool.core import policy as base
from cstool.core.notify import check_webhook
from cstool.core.policy import BASE_KEYS, Key, display, mask_secret, plain, time_of_day, whole

__all__ = ["Policy", "key", "keys", "presets", "display", "mask_secret"]


def _url(value: Any) -> str:
    s = str(value).strip()
    if s.lower() in ("", "none", "off"):
        return ""
    return check_webhook(s)


# remind (cron): its cool-down, the handover receipts it waits for, the robots
REMIND_KEYS = (
    Key("remind_cooldown_hours", 4, whole(1, 168, "hours"),
        "`remind` sends the same item again only after this long", per_shop=False),
    Key("remind_handover_ack_by", "10:00", time_of_day,
        "handover items not acknowledged by this hour are reminded", per_shop=False),
    Key("remind.dingtalk_webhook", "", _url, "DingTalk robot webhook URL", secret=True),
    Key("remind.dingtalk_secret", "", plain, "DingTalk robot signing secret (SEC…)", secret=True),
    Key("remind.wecom_webhook", "", _url, "WeCom robot webhook URL", secret=True),
)

# The manuals where they differ (domain.md): what each one's preset is about.
MANUALS = {
    "manual-000": "Tmall SOP (000): phone 10-12 and 15-17, chat at once",
    "manual-002": "shop workflows (002): chat before 11:00, phone until 20:30; flags by team",
    "manual-003": "training manual (003): flags by shipping state",
}


def keys() -> tuple[Key, ...]:
    return BASE_KEYS + REMIND_KEYS + tuple(k for r in routines.gathered("keys") for k in r.keys)


def presets() -> dict[str, tuple[str, dict]]:
    out: dict[str, tuple[str, dict]] = {}
    by = routines.gathered("presets")
    for name, about in MANUALS.items():
        values: dict = {}
        for r in by:
            values.update(r.manuals.get(name, {}))
        out[name] = (about, values)
    for r in by:
        out.update(r.presets)
    return out


class Policy(base.Policy):
    """The journal's policy over every key of the house."""

    def __init__(self, journal=None):
        super().__init__(journal, keys(), presets())


def key(name: str) -> Key:
    """The key called ``name`` (a usage error naming it when there is none)."""
    return Policy().key(name)
