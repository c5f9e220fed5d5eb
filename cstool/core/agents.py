"""Agents (客服): who writes remarks, chases and logs. Every write names one."""

from __future__ import annotations

from typing import Optional

from cstool.core.errors import BadUsage, NotFound
from cstool.core.i18n import M_
from cstool.core.limits import MAX_NAME, MAX_SHORT_NAME
from cstool.core.values import Instant
from cstool.core.vocab import ROLE


def add(journal, short: str, now_db: str, name: Optional[str] = None,
        job_no: Optional[str] = None, role: Optional[str] = None) -> dict:
    """Register an agent, or update the details of one already registered."""
    short = (short or "").strip()
    if not short or any(c.isspace() for c in short) or "#" in short:
        raise BadUsage(M_("an agent's short name is one word without spaces or '#', e.g. 倩"))
    if len(short) > MAX_SHORT_NAME:
        raise BadUsage(M_("an agent's short name has at most {max_short_name} characters "
                          "(it goes into every remark), not {n}", max_short_name=MAX_SHORT_NAME,
                          n=format(len(short), ',')))
    for what, value in (("--name", name), ("--job-no", job_no)):
        if value is not None and len(value) > MAX_NAME:
            raise BadUsage(M_("{what} has at most {max_name} characters, not {n}", what=what,
                              max_name=MAX_NAME, n=format(len(value), ',')))
    role = ROLE(role) if role else None
    with journal.write():
        existing = journal.one("SELECT * FROM agents WHERE short = ?", [short])
        if existing:
            journal.execute(
                "UPDATE agents SET name = coalesce(?, name), job_no = coalesce(?, job_no), "
                "role = coalesce(?, role) WHERE short = ?", [name, job_no, role, short])
        else:
            journal.execute(
                "INSERT INTO agents (short, name, job_no, role, created_at) VALUES (?, ?, ?, ?, ?)",
                [short, name, job_no, role, now_db])
    agent = get(journal, short)
    agent["created"] = existing is None
    return agent


def get(journal, short: str) -> dict:
    row = journal.one("SELECT * FROM agents WHERE short = ?", [short])
    if row is None:
        raise NotFound(M_("agent {short} is not registered; add it with: cstool agent add "
                          "{short2}", short=repr(short), short2=short))
    d = dict(row)
    d["created_at"] = Instant(d["created_at"])
    return d


def list_(journal) -> list[dict]:
    return [{**dict(r), "created_at": Instant(r["created_at"])}
            for r in journal.query("SELECT * FROM agents ORDER BY short")]


def known(journal) -> set[str]:
    return {r[0] for r in journal.query("SELECT short FROM agents")}
