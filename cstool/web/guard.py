"""Which URLs the web view answers: an allow-list, judged on the path Datasette routes.

Only our pages, our canned queries (and their JSON), Datasette's own static
files and the favicon are served. Raw tables and rows, the database page,
arbitrary SQL (``?sql=``), downloads (``.db``, ``.csv``, a table's ``.json``)
and the ``/-/`` introspection pages are refused with 403, whatever plugin
might answer them; anything else is 404. The path judged is the raw one
(percent-encoded, as Datasette's router reads it), and one with ``%`` or ``~``
escapes is never served, so no spelling of ``/journal/orders`` gets through.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from cstool.web.pages import DETAIL_PAGES, PAGES
from cstool.web.queries import CANNED

DATABASE = "journal"
_STATIC = re.compile(r"^/-/static/[A-Za-z0-9_.-]+$")
_DETAIL = [re.compile(p) for p in DETAIL_PAGES]
_CANNED = re.compile(rf"^/{DATABASE}/(?P<name>[a-z_]+)(?:\.json)?$")
# Parameters that would make Datasette run SQL of the caller's choosing.
_SQL_PARAMS = {"sql", "_sql", "_where", "_filter_column", "_facet", "_search", "_fts_table"}

OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405


def judge(method: str, path: str, query: str = "") -> int:
    """``OK`` to serve, else the status to refuse with."""
    if any(k in _SQL_PARAMS or k.startswith("_where") for k, _ in parse_qsl(query,
                                                                        keep_blank_values=True)):
        return FORBIDDEN
    if "%" in path or "~" in path or "//" in path:
        return FORBIDDEN if path.startswith((f"/{DATABASE}", "/-/", "/_")) else NOT_FOUND
    if path in PAGES or any(p.match(path) for p in _DETAIL):
        return OK if method in ("GET", "HEAD") else NOT_ALLOWED
    m = _CANNED.match(path)
    if m and m.group("name") in CANNED:
        return OK if method in ("GET", "HEAD") else NOT_ALLOWED
    if _STATIC.match(path) or path == "/favicon.ico":
        return OK if method in ("GET", "HEAD") else NOT_ALLOWED
    if path.startswith((f"/{DATABASE}", "/-/", "/_")) or path.endswith((".db", ".csv", ".json")):
        return FORBIDDEN
    return NOT_FOUND
