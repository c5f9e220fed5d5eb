"""The one context every routine is given: journal, clock, policy, agent, renderer, scope.

The command line (or the web view, or cron) opens these once and hands the same
:class:`Context` to each routine it calls; a routine reads "now" from
``ctx.clock`` and never receives a time from its caller. The scope is the platform
and shop a command is limited to (``--platform``/``--shop``, the web view's filter):
every listing applies it through :meth:`cstool.core.where.Where.scope`, and a command
that names an order finds it within it.
"""

from __future__ import annotations

from typing import Any, Optional

from cstool.core.output import Renderer


class Scope:
    """The platform and shop a command is limited to (None: all)."""

    __slots__ = ("platform", "shop")

    def __init__(self, platform: Optional[str] = None, shop: Optional[str] = None):
        self.platform = platform or None
        self.shop = (shop or "").strip() or None

    def __bool__(self) -> bool:
        return bool(self.platform or self.shop)

    def __repr__(self) -> str:
        return f"Scope(platform={self.platform!r}, shop={self.shop!r})"

    def holds(self, platform: Optional[str], shop: Optional[str]) -> bool:
        """Whether an order of ``platform`` and ``shop`` is in scope."""
        return ((not self.platform or platform == self.platform)
                and (not self.shop or shop == self.shop))

    def words(self) -> str:
        """``platform jd, shop 示范店`` (for messages), or ``""``."""
        return ", ".join(f"{k} {v}" for k, v in (("platform", self.platform),
                                                 ("shop", self.shop)) if v)


class Context:
    __slots__ = ("journal", "clock", "policy", "agent", "_renderer", "scope")

    def __init__(self, journal, clock, policy, agent: Optional[str] = None,
                 renderer: Any = None, scope: Scope = Scope()):
        self.journal = journal
        self.clock = clock
        self.policy = policy
        self.agent = agent        # the acting agent's short name (checked by whoever writes)
        self._renderer = renderer
        self.scope = scope

    @property
    def renderer(self):
        """How values become text (masked unless the command reveals): made on first use."""
        if self._renderer is None:
            self._renderer = Renderer(self.clock)
        return self._renderer

    def now_db(self) -> str:
        """Now, as a journal instant."""
        return self.clock.now_db()

    def as_agent(self, agent: Optional[str]) -> Context:
        """The same context for another agent (None: nobody's view, as cron sees it)."""
        return Context(self.journal, self.clock, self.policy, agent, self._renderer, self.scope)

    def scoped(self, scope: Scope) -> Context:
        """The same context limited to ``scope``."""
        return Context(self.journal, self.clock, self.policy, self.agent, self._renderer, scope)
