"""The policy's shipping rules fixed at one instant: what every check and row reads
(deadlines, the same-day cutoff, stalled days, presale date)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Optional

from cstool.core import text
from cstool.core.clock import Clock, to_db


def _hhmm(value: str) -> tuple[int, int]:
    return divmod(text.minutes(value), 60)


class Rules(NamedTuple):
    """The policy's shipping rules (one shop's, or the journal's), fixed at one instant."""

    clock: Clock
    now: datetime
    deadline_hours: int
    within_hours: float
    cutoff: str
    dispatch: str
    stalled_days: int
    stalled_max_days: int
    presale_date: Optional[date]
    # (t_over, t_soon, t_now, t_soon_by) of :meth:`params`: the journal instants a
    # waiting order's start of the clock, or its ship-by time, is compared with (set by
    # :meth:`of`; None, a check fails loudly rather than judge every order ship_today)
    edges: Optional[tuple[str, str, str, str]] = None

    @classmethod
    def of(cls, clock: Clock, policy, within_hours: float = 24.0) -> Rules:
        presale = policy.get("presale_ship_date")
        rules = cls(
            clock=clock,
            now=clock.now().replace(microsecond=0),
            deadline_hours=int(policy.get("ship_deadline_hours")),
            within_hours=float(within_hours),
            cutoff=policy.get("same_day_cutoff"),
            dispatch=policy.get("dispatch_time"),
            stalled_days=int(policy.get("stalled_days")),
            stalled_max_days=int(policy.get("stalled_max_days")),
            presale_date=date.fromisoformat(presale) if presale else None,
        )
        p = rules.params()
        return rules._replace(edges=(p["t_over"], p["t_soon"], p["t_now"], p["t_soon_by"]))

    @property
    def today(self) -> date:
        return self.now.date()

    def at(self, day: date, hhmm: str) -> datetime:
        h, m = _hhmm(hhmm)
        return self.clock.start_of(day).replace(hour=h, minute=m)

    def deadline(self, base: datetime) -> datetime:
        return base + timedelta(hours=self.deadline_hours)

    def batch_day(self, paid: datetime) -> date:
        """The day whose batch an order paid at ``paid`` goes out in (the cutoff rule)."""
        local = self.clock.local(paid)
        h, m = _hhmm(self.cutoff)
        return local.date() if (local.hour, local.minute) < (h, m) else local.date() + timedelta(1)

    def params(self) -> dict[str, Any]:
        deadline = timedelta(hours=self.deadline_hours)
        within = timedelta(seconds=round(self.within_hours * 3600))  # (2.01 h: 7,236 s)
        stalled = self.now - timedelta(days=self.stalled_days)
        oldest = (self.now - timedelta(days=self.stalled_max_days)
                  if self.stalled_max_days else datetime(1970, 1, 2, tzinfo=self.now.tzinfo))
        # overdue: base + deadline < now; due soon: base + deadline <= now + within
        return {"t_over": to_db(self.now - deadline), "t_soon": to_db(self.now + within - deadline),
                "t_now": to_db(self.now), "t_soon_by": to_db(self.now + within),
                "t_stalled": to_db(stalled), "t_oldest": to_db(oldest)}

    def hours_left(self, due: datetime) -> float:
        return round((due - self.now).total_seconds() / 3600, 1) + 0.0  # never -0.0
