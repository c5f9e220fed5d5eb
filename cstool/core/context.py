"""The one context every routine is given: journal, clock, policy, agent, renderer, scope.

The command line (or the web view, or cron) opens these once and hands the same
:class:`Context` to each routine it calls; a routine reads "now" from
``ctx.clock`` and never receives a time from its caller. The scope is where the
shop and platform a command is limited to will live; today it limits nothing.
"""

from __future__ import annotations

from typing import Any, Optional

from cstool.core.output import Renderer


class Scope:
    """The shop and platform a command is limited to (None: all)."""

    __slots__ = ("platform", "shop")

    def __init__(self, platform: Optional[str] = None, shop: Optional[str] = None):
        self.platform, self.shop = platform, shop


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
