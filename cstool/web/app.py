"""Datasette over the live journal, with our plugin: the only module that imports Datasette.

The journal is attached as a mutable database, so Datasette reads it through
``mode=ro`` connections: nothing is copied, no lock is kept between requests,
and what agents and cron write shows on the next page load. Each page runs on
one of Datasette's read connections inside one read transaction (a consistent
snapshot that blocks no writer in WAL mode) and calls the routines' library.

Defences, outermost first: Basic auth when a password is set (the
datasette-auth-passwords plugin, behind a check that a malformed header is a
401 and not an error); the path guard (:mod:`cstool.web.guard`); Datasette's
permissions, which deny every table, the database page, SQL and downloads, and
allow only our canned queries.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import socket
import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

from datasette import hookimpl
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm
from datasette.utils.asgi import Response

from cstool.app.policy import Policy
from cstool.core.clock import Clock
from cstool.core.errors import CstoolError, NotFound
from cstool.core.i18n import NC_, language, pgettext
from cstool.core.journal import Journal
from cstool.web import guard, queries
from cstool.web.pages import DETAIL_PAGES, MENU, PAGES, context
from cstool.web.render import Page

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
USER = "supervisor"
HASH_ENV = "CSTOOL_SERVE_PASSWORD_HASH"
# The hash lives only in this process's memory and is checked on every request
# (twice: the auth wrapper and the actor lookup); stretching guards a stored
# hash, and there is none, so the count is kept low enough for page loads.
HASH_ITERATIONS = 20_000
FILTER_PARAMS = ("date", "days", "platform", "shop")
# Page parameters kept when the filter form is submitted.
PAGE_PARAMS = ("check", "view", "within", "all", "channel", "kind", "author")
SETTINGS = {
    "default_allow_sql": False,
    "allow_download": False,
    "allow_facet": False,
    "suggest_facets": False,
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 1000,
}


@dataclass
class Settings:
    path: str
    now_text: Optional[str] = None
    password: Optional[str] = None


def _menu(path: str, args: dict) -> list[tuple[str, str, bool]]:
    from urllib.parse import urlencode

    kept = {k: args[k] for k in FILTER_PARAMS if args.get(k)}
    q = "?" + urlencode(kept) if kept else ""
    return [(href + (q if not href.startswith("/journal/") else ""), pgettext("web", label),
             href == path) for href, label in MENU]


def _args(request) -> dict[str, str]:
    return {k: request.args.get(k) for k in request.args}


class Plugin:
    """Routes, permissions, the path guard and the SQL functions of the web view."""

    __name__ = "cstool-web"  # Datasette lists plugins by name

    def __init__(self, settings: Settings):
        self.settings = settings

    # -- pages --

    @hookimpl
    def register_routes(self, datasette):
        routes = [(f"^{re.escape(p)}$", self._view(fn)) for p, fn in PAGES.items()]
        routes += [(regex, self._view(fn)) for regex, fn in DETAIL_PAGES.items()]
        return routes

    def _view(self, fn: Callable[..., Page]):
        async def view(request, datasette):
            args = _args(request)
            key = request.url_vars.get("key")
            db = datasette.get_database(guard.DATABASE)
            page, filters, choices = await db.execute_fn(
                lambda conn: self.build(conn, fn, args, key))
            html = await datasette.render_template(
                "cstool_page.html",
                {"page": page, "filters": filters, "choices": choices, "path": request.path,
                 "keep": {k: args[k] for k in PAGE_PARAMS if args.get(k)}},
                request=request)
            return Response.html(html, status=page.status, headers={"cache-control": "no-store"})

        return view

    def build(self, conn, fn: Callable[..., Page], args: dict, key: Optional[str]):
        """Run a page function on a Datasette read connection, in one read transaction."""
        journal = Journal(self.settings.path, conn)
        journal.readonly = True
        filters, choices = None, {}
        # Datasette decodes text through a Python function (lenient with bad UTF-8); the
        # journal holds only text cstool decoded on import, and the C decoder is faster.
        lenient, conn.text_factory = conn.text_factory, str
        conn.execute("BEGIN")
        try:
            policy = Policy(journal)
            clock = Clock(policy.get("timezone"), self.settings.now_text)
            ctx = context(journal, clock, policy, args)
            filters, choices = ctx.filters, ctx.scope.choices()
            page = fn(ctx) if key is None else fn(ctx, key)
            page.notes += ctx.scope.notes()
        except CstoolError as e:
            page = Page(title=pgettext("web", "Error") if not isinstance(e, NotFound) else
                        pgettext("web", "Not found"),
                        notes=[e.shown()], status=404 if isinstance(e, NotFound) else 400)
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.text_factory = lenient
        return page, filters, choices

    @hookimpl
    def extra_template_vars(self, request):
        if request is None:
            return {}
        return {"cstool_menu": _menu(request.path, _args(request)),
                "t": lambda text: pgettext("web", text), "lang": language()}

    # -- canned queries --

    @hookimpl
    def prepare_connection(self, conn, database):
        if database == guard.DATABASE:
            queries.register(conn)

    @hookimpl
    def render_cell(self, row, value, column, database):
        if database == guard.DATABASE and column == "order_id" and value:
            from urllib.parse import quote, urlencode

            from markupsafe import Markup, escape

            # the row's platform, where the query gives it: a number may be on two
            platform = row["platform"] if row is not None and "platform" in row.keys() else None
            q = "?" + urlencode({"platform": platform}) if platform else ""
            return Markup(f'<a href="/orders/{escape(quote(str(value), safe=""))}{escape(q)}">'
                          f'{escape(value)}</a>')
        return None

    # -- who may see what --

    @hookimpl(trylast=True)
    def permission_allowed(self, actor, action, resource):
        """Deny by default: the instance (to whoever passed the password) and our queries only."""
        if action == "view-instance":
            return actor is not None if self.settings.password else True
        if action == "view-query":
            database, name = resource
            return database == guard.DATABASE and name in queries.CANNED
        return False

    @hookimpl
    def asgi_wrapper(self):
        def wrap(app):
            async def path_guard(scope, receive, send):
                if scope["type"] != "http":
                    return await app(scope, receive, send)
                raw = scope.get("raw_path")
                path = raw.decode("latin-1").partition("?")[0] if raw else scope["path"]
                status = guard.judge(scope.get("method", "GET"), path,
                                     scope.get("query_string", b"").decode("latin-1"))
                if status == guard.OK:
                    return await app(scope, receive, send)
                await _refusal(status).asgi_send(send)

            return path_guard

        return wrap


class HeaderCheck:
    """Outermost: a malformed Basic credential is refused with 401, never an error page."""

    __name__ = "cstool-web-header-check"

    @hookimpl(trylast=True)
    def asgi_wrapper(self):
        def wrap(app):
            async def check(scope, receive, send):
                if scope["type"] == "http" and not _well_formed(scope):
                    return await Response.text(
                        "401 Authorization Required", status=401,
                        headers={"www-authenticate": 'Basic realm="cstool", charset="UTF-8"'},
                    ).asgi_send(send)
                await app(scope, receive, send)

            return check

        return wrap


def _well_formed(scope) -> bool:
    for name, value in scope.get("headers") or ():
        if name.lower() == b"authorization" and value.startswith(b"Basic "):
            try:
                base64.b64decode(value[6:].strip(), validate=True).decode("ascii")
            except (binascii.Error, UnicodeDecodeError):
                return False
    return True


_REFUSED = {
    403: (NC_("web", "Not available"),
          NC_("web", "The web view shows the routines' queues and reports only: raw tables, SQL "
                     "queries, downloads and Datasette's own pages are refused. The command line "
                     "has everything (`cstool orders list`, `--format csv`).")),
    404: (NC_("web", "No such page"), NC_("web", "Start from the overview.")),
    405: (NC_("web", "Read-only"), NC_("web", "The web view only reads the journal.")),
}
# Our templates' own words (cstool_page.html, _cstool_menu.html, _footer.html), shown
# through t().
TEMPLATE_WORDS = (NC_("web", "date"), NC_("web", "days"), NC_("web", "(all)"),
                  NC_("web", "Show"), NC_("web", "platform"), NC_("web", "shop"),
                  NC_("web", "Find"), NC_("web", "rows"), NC_("web", "(no results)"),
                  NC_("web", "Powered by {datasette}"), NC_("web", "queries took {ms} ms"))


def _refusal(status: int) -> Response:
    title, text = (pgettext("web", x) for x in _REFUSED[status])
    title = f"{status} {title}"
    body = (f"<!DOCTYPE html><html lang='{language()}'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body><h1>{title}</h1><p>{text}</p>"
            f"<p><a href='/'>{pgettext('web', 'Overview')}</a></p></body></html>")
    return Response.html(body, status=status, headers={"cache-control": "no-store"})


# --- start-up -----------------------------------------------------------------------


def _metadata(settings: Settings) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": "cstool",
        "databases": {guard.DATABASE: {"queries": queries.shown(), "allow_sql": False}},
    }
    if settings.password:
        meta["plugins"] = {"datasette-auth-passwords": {
            "http_basic_auth": True, f"{USER}_password_hash": {"$env": HASH_ENV}}}
    return meta


def build(settings: Settings) -> Datasette:
    """The Datasette instance over the journal at ``settings.path`` (already migrated)."""
    import datasette_auth_passwords
    from datasette_auth_passwords.utils import hash_password

    for plugin in list(pm.get_plugins()):
        if isinstance(plugin, (Plugin, HeaderCheck)):
            pm.unregister(plugin)  # a second build in one process replaces the first
    if not pm.is_registered(datasette_auth_passwords):
        pm.register(datasette_auth_passwords, "datasette_auth_passwords")
    pm.register(Plugin(settings), "cstool-web")
    pm.register(HeaderCheck(), "cstool-web-header-check")
    if settings.password:
        # In the environment rather than the metadata, so no page can ever show it.
        os.environ[HASH_ENV] = hash_password(settings.password, iterations=HASH_ITERATIONS)
    ds = Datasette(metadata=_metadata(settings), settings=SETTINGS, template_dir=TEMPLATES)
    ds.remove_database("_memory")
    ds.add_database(Database(ds, path=settings.path, is_mutable=True), name=guard.DATABASE)
    return ds


def readable(path: str) -> None:
    """Read the journal the way Datasette will (``mode=ro``), or a clear error."""
    import sqlite3
    from urllib.parse import quote

    try:
        conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM orders").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise CstoolError(f"cannot read the journal {path} read-only: {e}") from None


def listen(host: str, port: int) -> socket.socket:
    """A bound, listening socket (port 0: any free port); a clear error when it can't be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise CstoolError(f"--host {host}: {e.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise CstoolError(f"cannot listen on {host}:{port}: {e.strerror} "
                          "(another program has the port? give another with --port)") from None
    sock.listen(128)
    return sock


def run(ds: Datasette, sock: socket.socket) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM end it cleanly)."""
    import uvicorn

    config = uvicorn.Config(ds.app(), log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    sys.stdout.flush()
