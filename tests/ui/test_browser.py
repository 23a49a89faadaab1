"""The explorer in a real browser: Debian's Chromium driven by Playwright, against a real `aikb serve` over a
knowledge base of the seeds, the test articles and a hostile article, on SQLite and PostgreSQL.

Every request the page makes is intercepted: one to any other host fails the test (and is never sent), as
does any console error (a CSP violation is one) or uncaught exception. Accessibility is checked with
axe-core (the npm package, injected by the test; nothing of it ships with the app).

Needs /usr/bin/chromium (`apt-get install chromium`) and axe-core (`npm install axe-core`, found through
AIKB_AXE_JS or in .cache/axe-core/): `make test` and .ci/run install both. Without them the tests skip,
saying why, except in CI, where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import IN_CI
from tests.live import Server
from tests.ui.conftest import HOSTILE_META, ROOT

CHROMIUM = os.environ.get("AIKB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(
    os.environ.get("AIKB_AXE_JS", ROOT / ".cache" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js")
)
NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


def missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI must run the browser tests: .ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -r requirements.lock)")
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium, as root; `make test` does it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(kb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(kb_url, tmp_path_factory.mktemp("serve"))
    yield running
    running.stop()


class Tab:
    """A page in a fresh context that records what must not happen: a request to another host (aborted),
    a console error, an uncaught exception, a dialog (alert, confirm) opened by script."""

    def __init__(self, browser: Any, server: Server, viewport: dict[str, int], bypass_csp: bool = False):
        self.base = server.base_url
        self.context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on(
            "console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"exception: {e}"))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == urlsplit(self.base).netloc or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, (path, response and response.status)
        return self.page

    def assert_clean(self) -> None:
        assert self.outside == [], "requests left the host"
        assert self.errors == []
        assert self.page.evaluate("window.__pwned") is None

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    opened = Tab(browser, server, WIDE)
    yield opened
    opened.close()


def api(server: Server, path: str, **params: Any) -> Any:
    response = httpx.get(server.base_url + path, params=params or None, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def all_items(server: Server, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params = {"limit": 200, **params}
    while True:
        body = api(server, path, **params)
        items += body["items"]
        if not body["next_cursor"]:
            return items
        params["cursor"] = body["next_cursor"]


def pages(server: Server) -> dict[str, str]:
    claim = api(server, "/claims", topic="chips", limit=1)["items"][0]
    return {
        "overview": "/ui/",
        "claims": "/ui/claims?topic=chips",
        "claim": f"/ui/claims/{claim['id']}",
        "source": f"/ui/sources/{claim['source']}",
        "entity": "/ui/entities/huawei",
        "entities": "/ui/entities",
        "search": "/ui/search?q=export+controls",
        "conflicts": "/ui/conflicts",
    }


def test_every_page_loads_offline_without_errors(tab: Tab, server: Server) -> None:
    for name, path in {**pages(server), "swagger": "/docs", "redoc": "/redoc"}.items():
        page = tab.go(path)
        if name == "swagger":
            page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
            assert page.locator(".opblock").count() > 10  # every operation rendered from /openapi.json
        elif name == "redoc":
            page.wait_for_selector("[data-section-id]", timeout=20_000)
            assert "aikb" in page.locator("h1").first.inner_text()
        else:
            assert page.locator("form[role=search] input[name=q]").is_visible()
            assert page.locator("h1").count() == 1
        tab.assert_clean()


def test_filter_and_page_through_claims(tab: Tab, server: Server) -> None:
    page = tab.go("/ui/claims")
    page.get_by_label("chips").check()
    page.get_by_label("statistic").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    query = urlsplit(page.url).query
    assert sorted(query.split("&")) == ["kind=statistic", "topic=chips"]  # the API's query, nothing empty
    seen: list[str] = []
    pages_read = 0
    while True:
        ids = page.locator("[data-claim-id]").evaluate_all("els => els.map(e => e.dataset.claimId)")
        current = urlsplit(page.url).query
        assert ids == [c["id"] for c in api(server, "/claims?" + current)["items"]]
        assert not set(ids) & set(seen)
        seen += ids
        for card in page.locator(".claim-card").all():
            assert "chips" in card.locator(".topic").all_inner_texts()
            assert card.locator(".kind").inner_text() == "statistic"
        pages_read += 1
        following = page.locator("a[rel=next]")
        if following.count() == 0:
            break
        following.click()
        page.wait_for_load_state("networkidle")
    assert seen == [c["id"] for c in all_items(server, "/claims", topic="chips", kind="statistic")]
    assert pages_read >= 1
    # A facet link narrows the filter; the active filter can be removed again.
    page = tab.go("/ui/claims?topic=chips&limit=5")
    assert page.locator("[data-claim-id]").count() == 5
    page.locator("aside.facets a", has_text="quote").first.click()
    page.wait_for_load_state("networkidle")
    assert "kind=quote" in page.url
    tab.assert_clean()


def test_reader_highlights_are_exactly_the_sources_claims(tab: Tab, server: Server) -> None:
    for source in all_items(server, "/sources"):
        detail = api(server, f"/sources/{source['id']}")
        page = tab.go(f"/ui/sources/{source['id']}")
        text = page.locator("[data-source-text]")
        assert text.evaluate("el => el.textContent") == detail["text"]
        assert text.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-wrap"
        highlighted = text.locator("[data-claim-id]").evaluate_all(
            "els => els.map(e => [e.dataset.claimId, e.textContent])"
        )
        claims = all_items(server, f"/sources/{source['id']}/claims")
        assert sorted(map(tuple, highlighted)) == sorted((c["id"], c["text"]) for c in claims)
    tab.assert_clean()


def test_a_click_on_a_highlight_opens_the_claim(tab: Tab, server: Server) -> None:
    claim = api(server, "/claims", topic="chips", limit=1)["items"][0]
    page = tab.go(f"/ui/sources/{claim['source']}")
    page.locator(f"[data-source-text] [data-claim-id='{claim['id']}']").click()
    page.wait_for_url(f"**/ui/claims/{claim['id']}")
    assert claim["text"] in page.locator("main").inner_text()
    # The way back: the claim page links to its place in the reader, which lights it up.
    page.get_by_role("link", name="Read it in the article").click()
    page.wait_for_url(f"**/ui/sources/{claim['source']}#claim-{claim['id']}")
    tab.assert_clean()


def test_keyboard_reaches_and_opens_a_highlight(tab: Tab, server: Server) -> None:
    claim = api(server, "/claims", topic="chips", limit=1)["items"][0]
    page = tab.go(f"/ui/sources/{claim['source']}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(60):  # past the header's links and search box, into the text
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.claimId"):
            break
    focused = page.evaluate("document.activeElement.dataset.claimId")
    assert focused
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/ui/claims/{focused}")
    tab.assert_clean()


def test_hostile_article_runs_nothing(tab: Tab, server: Server) -> None:
    (source,) = [s for s in all_items(server, "/sources") if s["title"] == HOSTILE_META["title"]]
    claims = all_items(server, f"/sources/{source['id']}/claims")
    for path in (
        f"/ui/sources/{source['id']}",
        f"/ui/claims/{claims[0]['id']}",
        f"/ui/claims?source={source['id']}",
        "/ui/search?q=nanoseconds",
        "/ui/",
    ):
        page = tab.go(path)
        assert (
            page.locator("main script, main img, main svg:not(.bars):not([aria-hidden]), main iframe").count()
            == 0
        )
        tab.assert_clean()
    page = tab.go(f"/ui/sources/{source['id']}")
    assert page.locator("h1").inner_text() == HOSTILE_META["title"]
    assert page.locator("a[href^='javascript']").count() == 0


def test_no_serious_accessibility_violations(browser: Any, server: Server) -> None:
    if not AXE.exists():
        missing(f"axe-core not found at {AXE} (npm install axe-core; `make test` does it)")
    script = AXE.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for viewport in (WIDE, NARROW):
        tab = Tab(browser, server, viewport, bypass_csp=True)  # axe is injected as an inline script
        try:
            for name, path in pages(server).items():
                page = tab.go(path)
                page.add_script_tag(content=script)
                result = page.evaluate(
                    "axe.run(document, {runOnly: {type: 'tag', values: "
                    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
                )
                serious = [
                    f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                    for v in result["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
                if serious:
                    found[f"{name} at {viewport['width']} px"] = serious
        finally:
            tab.close()
    assert found == {}


def test_usable_at_390_px(browser: Any, server: Server) -> None:
    tab = Tab(browser, server, NARROW)
    try:
        for name, path in pages(server).items():
            page = tab.go(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow} px"
            assert page.locator("form[role=search] input").is_visible()
            assert page.locator("h1").is_visible()
        page = tab.go("/ui/claims?topic=chips&limit=3")
        card = page.locator(".claim-card").first
        assert card.bounding_box()["width"] <= NARROW["width"]
        tab.assert_clean()
    finally:
        tab.close()


def test_claim_groups_page_says_there_are_none_yet(tab: Tab) -> None:
    page = tab.go("/ui/conflicts")
    for heading in ("Conflicts", "Corroborations"):
        section = page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))
        assert re.search(r"There are none", section.inner_text())
    tab.assert_clean()
