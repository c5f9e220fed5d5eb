"""`cstool serve` end to end: a real server on 127.0.0.1 and a real headless Chromium.

The browser is Debian's chromium driven by Playwright (never a downloaded
browser). Locally the tests skip, saying why, when chromium or the web extra is
missing; in CI (``CI`` set) they fail instead, since .ci/run installs both.
Set ``UPDATE_DOCS_SCREENSHOT=1`` to write docs/web-view.png and docs/web-charts.png.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
import webhelp
from click.testing import CliRunner
from conftest import DEMO_NOW, ROOT, Run, order

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _need(what: str, ok: bool) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: .ci/run installs it", pytrace=False)
    pytest.skip(f"{what} is not installed (apt-get install chromium; pip install -e '.[test,web]')")


try:
    import datasette  # noqa: F401
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - reported by _need
    sync_playwright = None


@pytest.fixture(scope="module")
def browser():
    _need("the web extra and playwright", sync_playwright is not None)
    _need("Debian's chromium", CHROMIUM is not None)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


class Cli(Run):
    """The CLI in-process against one journal, whatever the test's own environment says."""

    def __init__(self, db):
        super().__init__()
        self.env = {**{k: None for k in os.environ if k.startswith("CSTOOL_")},
                    "CSTOOL_DB": str(db), "CSTOOL_NOW": DEMO_NOW}
        self.runner = CliRunner(env=self.env)


class Server:
    """``cstool serve --port 0`` in a subprocess; ``url`` from what it prints."""

    def __init__(self, db, *args, env=None):
        base = {k: v for k, v in os.environ.items() if not k.startswith("CSTOOL_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cstool", "--db", str(db), "--now", DEMO_NOW, "serve",
             "--port", "0", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env={**base, "PYTHONUNBUFFERED": "1", "CSTOOL_LANG": "en", **(env or {})})
        watchdog = threading.Timer(60, self.proc.kill)  # never hang the suite
        watchdog.start()
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            if line.startswith("  clock pinned at"):  # the banner's last line (--now is given)
                break
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", "".join(lines))
        if m:
            self.url = m.group(1)
        else:
            raise AssertionError("serve did not start: " + "".join(lines) + self.proc.stderr.read())
        watchdog.cancel()
        self.banner = "".join(lines)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    db = tmp / "journal.db"
    cli = Cli(db)
    cli("init", check=0)
    webhelp.build(cli, tmp)
    server = Server(db)
    server.db = db
    yield server
    err = server.stop()
    assert "Traceback" not in err, err


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    yield p
    context.close()


def test_the_overdue_order_is_listed(site, page):
    r = page.goto(site.url + "shipping")
    assert r.status == 200
    overdue = page.locator("section#overdue")
    assert order("paid_missing_payment_time") in overdue.inner_text()
    # on the overview, the tile counts it and the table links to the order
    page.goto(site.url)
    tile = page.locator("a.tile", has_text="overdue")
    assert tile.locator(".value").inner_text() == "1"  # the 80 h order has shipped since
    link = page.locator(f"a[href^='/orders/{order('paid_missing_payment_time')}']").first
    link.click()
    assert page.locator("h1").inner_text() == f"Order {order('paid_missing_payment_time')}"


def test_no_phone_or_street_address_on_any_page_reachable_from_home(site, page):
    secrets = webhelp.personal_data(site.db)
    assert len(secrets) > 100  # every order's phone and street, and what agents typed
    origin = site.url.rstrip("/")
    seen, queue, statuses = set(), deque([("/", 0)]), {}
    leaks = []
    while queue and len(seen) < 400:
        path, depth = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        r = page.goto(origin + path, wait_until="domcontentloaded")
        statuses[path] = r.status
        text = page.content() + page.inner_text("body")
        leaks += [(path, s) for s in secrets if s in text]
        if depth >= 3:
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            u = urlsplit(urljoin(origin + path, href))
            if f"{u.scheme}://{u.netloc}" == origin:
                queue.append((u.path + (f"?{u.query}" if u.query else ""), depth + 1))
    assert leaks == []
    assert {p: s for p, s in statuses.items() if s != 200} == {}  # no link leads to a refusal
    # the crawl reached every kind of page
    for part in ("/shipping", "/chase", "/cases/1", "/handover", "/remarks", "/report", "/charts",
                 "/journal/find_order", "/journal/import_log", "/orders/"):
        assert any(p.startswith(part) for p in seen), part


@pytest.mark.parametrize("path", [
    "journal", "journal/orders", "journal/orders.json", "journal/orders.csv",
    f"journal/orders/{order('paid_80h_overdue')}", "journal.db",
    "journal?sql=select+receiver_phone+from+orders",
    "journal.json?sql=select+receiver_phone+from+orders",
    "journal/find_order?sql=select+1", "journal/find_order.csv", "-/metadata", "-/databases",
    "-/threads", "-/plugins", "-/versions", "-/settings", "-/actor", "-/permissions",
    "_internal", "journal/~6Frders"])
def test_raw_tables_sql_downloads_and_introspection_are_refused(site, page, path):
    r = page.goto(site.url + path)
    assert r.status == 403
    assert "403 Not available" in page.inner_text("h1")


def test_a_bad_address_or_filter_is_a_page_that_says_so(site, page):
    r = page.goto(site.url + "orders/123")
    assert r.status == 404
    assert "no order 123 in the journal" in page.inner_text("body")
    r = page.goto(site.url + "chase?days=0")
    assert r.status == 400
    assert "days=0: use a whole number of days from 1 to 92" in page.inner_text("body")
    assert page.goto(site.url + "no-such-page").status == 404


def test_a_chart_renders(site, page, tmp_path):
    page.goto(site.url + "charts")
    for chart in ("chart-chase", "chart-shipping", "chart-cases-kind", "chart-cases-courier"):
        svg = page.locator(f"svg#{chart}")
        box = svg.bounding_box()
        assert box["width"] > 500 and box["height"] > 150, chart
        assert svg.locator("rect.bar").count() > 0, chart
    # shipments: on the 23rd, one order shipped in time and one late (webhelp.build)
    bars = page.locator("svg#chart-shipping rect.bar[data-category='11-23']")
    values = {b.get_attribute("data-series"): b.get_attribute("data-value")
              for b in bars.all()}
    assert values["on time"] == "1" and values["late"] == "1"
    # chase conversion: 倩's chase was paid after (100 %), 郑婷's not (0 %)
    chase = {b.get_attribute("data-series"): b.get_attribute("data-value")
             for b in page.locator("svg#chart-chase rect.bar").all()}
    assert chase == {"倩": "100", "郑婷": "0"}
    shot = page.locator("svg#chart-shipping").screenshot()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 2000


def test_screenshots_of_the_overview_and_the_charts(site, page, tmp_path):
    page.goto(site.url)
    path = tmp_path / "web-view.png"
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    page.goto(site.url + "charts")
    charts = tmp_path / "web-charts.png"
    page.screenshot(path=str(charts), clip={"x": 0, "y": 0, "width": 1280, "height": 1500},
                    full_page=True)
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copy(path, ROOT / "docs" / "web-view.png")
        shutil.copy(charts, ROOT / "docs" / "web-charts.png")


def test_an_order_imported_after_start_appears_on_reload(tmp_path, page):
    db = tmp_path / "journal.db"
    cli = Cli(db)
    cli("init", check=0)
    cli("agent add 倩", check=0)
    server = Server(db)
    try:
        page.goto(server.url + "shipping")
        assert "5118609099990000001" not in page.inner_text("body")
        webhelp.generic(cli, tmp_path, "late.csv", ["订单号", "状态", "下单时间", "付款时间"],
                        [["5118609099990000001", "paid", "2026-11-19 10:00:00",
                          "2026-11-19 10:05:00"]],
                        [("订单号", "order_id"), ("状态", "status"), ("下单时间", "created_at"),
                         ("付款时间", "paid_at")])
        page.reload()
        assert "5118609099990000001" in page.locator("section#overdue").inner_text()
    finally:
        assert "Traceback" not in server.stop()


def test_with_a_password_every_page_needs_it(tmp_path, browser):
    db = tmp_path / "journal.db"
    Cli(db)("init", check=0)
    server = Server(db, "--password-env", "SHOP_WEB_PW", env={"SHOP_WEB_PW": "long enough pw"})
    try:
        assert "user name: supervisor, password: the one in $SHOP_WEB_PW" in server.banner
        assert "long enough pw" not in server.banner
        anonymous = browser.new_context()
        for path in ("", "shipping", "journal/find_order", "-/static/app.css", "journal/orders"):
            r = anonymous.request.get(server.url + path)
            assert r.status == 401, path
        wrong = browser.new_context(http_credentials={"username": "supervisor",
                                                      "password": "not it!!"})
        assert wrong.request.get(server.url).status == 401
        broken = anonymous.request.get(server.url, headers={"Authorization": "Basic ???"})
        assert broken.status == 401
        anonymous.close()
        wrong.close()
        ok = browser.new_context(http_credentials={"username": "supervisor",
                                                   "password": "long enough pw"})
        p = ok.new_page()
        assert p.goto(server.url).status == 200
        assert p.locator("h1").inner_text() == "Overview"
        assert p.goto(server.url + "journal/orders").status == 403  # still no raw tables
        ok.close()
    finally:
        assert "Traceback" not in server.stop()


def test_a_network_host_without_a_password_does_not_start(tmp_path):
    db = tmp_path / "journal.db"
    Cli(db)("init", check=0)
    r = subprocess.run([sys.executable, "-m", "cstool", "--db", str(db), "serve", "--host",
                        "0.0.0.0", "--port", "0"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "needs a password" in r.stderr and r.stdout == ""
