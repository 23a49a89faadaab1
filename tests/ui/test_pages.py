"""The explorer's pages over HTTP: what they show is what the API serves, every value is escaped, errors are
pages with the API's status and words, and the pages carry the CSP that lets only the app itself run."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.api.observability import PAGE_CSP
from tests.api.conftest import every_item
from tests.ui.conftest import HOSTILE_META, HOSTILE_TEXT
from tests.ui.html_text import texts

MAX_HTML = 150 * 1024


def page(site: TestClient, path: str, status: int = 200) -> str:
    response = site.get(path, headers={"Accept": "text/html"})
    assert response.status_code == status, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == PAGE_CSP.decode()
    html = response.text
    assert len(response.content) <= MAX_HTML, path
    # No script runs but the app's own files: no inline script, no event-handler attribute.
    assert not re.search(r"<script(?![^>]*\bsrc=\"/ui/static/)", html), path
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I), path
    return html


def hostile_source(site: TestClient) -> dict[str, Any]:
    (source,) = [s for s in every_item(site, "/sources") if s["title"] == HOSTILE_META["title"]]
    detail: dict[str, Any] = site.get(f"/sources/{source['id']}").json()
    return detail


def claim_ids(html: str) -> list[str]:
    return [c for c, _ in texts(html, "data-claim-id") if c]


def test_root_sends_browsers_to_the_explorer_and_api_clients_get_what_they_got(site: TestClient) -> None:
    browser = site.get("/", headers={"Accept": "text/html,application/xhtml+xml"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/ui/"
    api = site.get("/", headers={"Accept": "application/json"}, follow_redirects=False)
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_every_page_is_html_under_the_page_csp(site: TestClient) -> None:
    claim = site.get("/claims", params={"topic": "chips", "limit": 1}).json()["items"][0]
    for path in (
        "/ui/",
        "/ui/claims",
        "/ui/claims?topic=chips&kind=statistic&kind=quote&has_quantity=true",
        f"/ui/claims/{claim['id']}",
        f"/ui/sources/{claim['source']}",
        "/ui/entities",
        "/ui/entities?type=company&q=hua",
        "/ui/entities/huawei",
        "/ui/entities/china",
        "/ui/search?q=export+controls",
        "/ui/conflicts",
    ):
        html = page(site, path)
        assert 'action="/ui/search"' in html  # the search box, on every page


def test_overview_shows_the_apis_figures(site: TestClient) -> None:
    html = page(site, "/ui/")
    stats = site.get("/stats").json()
    for figure in (stats["claims"], stats["sources"], stats["entities"], stats["relations"]):
        assert f"<strong>{figure:,}</strong>" in html
    for topic in site.get("/topics").json():
        assert f'href="/ui/claims?topic={topic["id"]}"' in html
    assert "<svg" in html and 'class="fill-chips"' in html  # the chart of claims per month


def test_claims_page_is_the_apis_query(site: TestClient) -> None:
    query = "topic=chips&entity=china&limit=5"
    html = page(site, f"/ui/claims?{query}")
    api = site.get(f"/claims?{query}").json()
    assert claim_ids(html) == [c["id"] for c in api["items"]]
    assert f'href="/claims?{query}"' in html.replace("&amp;", "&")  # the same query, on the API
    # The next page is the API's next page.
    nxt = re.search(r'rel="next" href="([^"]+)"', html)
    assert nxt is not None and api["next_cursor"]
    second = page(site, nxt.group(1).replace("&amp;", "&"))
    assert claim_ids(second) == [
        c["id"] for c in site.get(f"/claims?{query}&cursor={api['next_cursor']}").json()["items"]
    ]
    # Facet counts are the API's.
    facets = site.get("/claims", params={"topic": "chips", "facets": "kind", "limit": 1}).json()["facets"]
    chips = page(site, "/ui/claims?topic=chips")
    for facet in facets["kind"]:
        assert re.search(rf">{facet['value']}</a> <span class=\"count\">{facet['count']}</span>", chips)


def test_empty_form_fields_are_dropped_from_the_address(site: TestClient) -> None:
    response = site.get("/ui/claims?q=&topic=chips&published_from=&unit=", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/claims?topic=chips"


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/ui/claims?topic=chip", 422, "did you mean &#39;chips&#39;?"),
        ("/ui/claims?limit=500", 422, "limit"),
        ("/ui/claims?sort=relevance", 422, "sort=relevance needs q"),
        ("/ui/claims?cursor=garbage", 400, "cursor is not one this API issued"),
        ("/ui/claims/c_nope", 404, "no claim with id &#39;c_nope&#39;"),
        ("/ui/sources/src_nope", 404, "no source with id"),
        ("/ui/entities/no-such-entity", 404, "no entity with id"),
        ("/ui/entities?type=robot", 422, "type"),
    ],
)
def test_errors_are_pages_with_the_apis_status_and_words(
    site: TestClient, path: str, status: int, words: str
) -> None:
    assert words in page(site, path, status)


def test_an_alias_of_an_entity_redirects_to_it(site: TestClient) -> None:
    response = site.get("/ui/entities/nvidia-corporation", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == "/ui/entities/nvidia"


def test_reader_holds_the_exact_text_with_every_claim_highlighted(site: TestClient) -> None:
    for source in every_item(site, "/sources"):
        detail = site.get(f"/sources/{source['id']}").json()
        html = page(site, f"/ui/sources/{source['id']}")
        ((_, text),) = [t for t in texts(html, "data-source-text")]
        assert text == detail["text"]
        claims = every_item(site, f"/sources/{source['id']}/claims")
        reader = html[
            html.index("data-source-text") : html.index("</section>", html.index("data-source-text"))
        ]
        assert dict(texts(reader, "data-claim-id")) == {c["id"]: c["text"] for c in claims}


def test_hostile_article_is_shown_as_text(site: TestClient) -> None:
    source = hostile_source(site)
    assert source["text"] == HOSTILE_TEXT  # stored verbatim, CR LF included
    claims = every_item(site, f"/sources/{source['id']}/claims")
    assert any("<script>" in c["text"] for c in claims)
    paths = [
        f"/ui/sources/{source['id']}",
        f"/ui/claims?source={source['id']}",
        f"/ui/claims/{claims[0]['id']}",
        f"/ui/search?q={quote('window pwned')}",
        f"/ui/claims?publisher={quote(HOSTILE_META['publisher'])}",
        "/ui/",
    ]
    for path in paths:
        html = page(site, path)
        for raw in ("<script>window", "<img src=x", "<svg onload", "<iframe", "<b>Evil</b>", "</div></main>"):
            assert raw not in html, (path, raw)
    reader = page(site, f"/ui/sources/{source['id']}")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in reader
    assert not [h for h in re.findall(r'href="([^"]*)"', reader) if h.lower().startswith("javascript")]
    assert "&lt;iframe" in reader  # the note, as text


def test_pages_need_a_key_when_reads_do(site: TestClient) -> None:
    from app.config import Settings

    settings = site.app.state.settings  # type: ignore[attr-defined]
    site.app.state.settings = Settings(aikb_read_requires_key=True)  # type: ignore[attr-defined]
    try:
        assert "reads need an API key" in page(site, "/ui/", 401)
        assert site.get("/ui/static/ui.css").status_code == 200  # the assets stay public
    finally:
        site.app.state.settings = settings  # type: ignore[attr-defined]
