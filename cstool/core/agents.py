"""Agents (客服): who writes remarks, chases and logs. Every write names one."""

from __future__ import annotations

from typing import Optional

from cstool.core.errors import BadUsage, NotFound
from cstool.core.limits import MAX_NAME, MAX_SHORT_NAME
from cstool.core.values import Instant
from cstool.core.vocab import ROLE


def add(journal, short: str, now_db: str, name: Optional[str] = None,
        job_no: Optional[str] = None, role: Optional[str] = None) -> dict:
    """Register an agent, or update the details of one already registered."""
    short = (short or "").strip()
    if not short or any(c.isspace() for c in short) or "#" in short:
        raise BadUsage("an agent's short name is one word without spaces or '#', e.g. 倩")
    if len(short) > MAX_SHORT_NAME:
        raise BadUsage(f"an agent's short name has at most {MAX_SHORT_NAME} characters "
                         f"(it goes into every remark), not {len(short):,}")
    for what, value in (("--name", name), ("--job-no", job_no)):
        if value is not None and len(value) > MAX_NAME:
            raise BadUsage(f"{what} has at most {MAX_NAME} characters, not {len(value):,}")
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
        raise NotFound(f"agent {short!r} is not registered; add it with: cstool agent add {short}")
    d = dict(row)
    d["created_at"] = Instant(d["created_at"])
    return d


def list_(journal) -> list[dict]:
    return [{**dict(r), "created_at": Instant(r["created_at"])}
            for r in journal.query("SELECT * FROM agents ORDER BY short")]


def known(journal) -> set[str]:
    return {r[0] for r in journal.query("SELECT short FROM agents")}
