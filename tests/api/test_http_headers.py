"""Headers on every response: security headers (errors, 304s, probes included), CORS (off unless
AIKB_CORS_ORIGINS is set) and Cache-Control (public, private, no-cache, no-store)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import keys
from app.api.observability import PAGE_CSP
from app.config import Settings, get_settings
from app.main import create_app

SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "cross-origin-resource-policy": "same-origin",
}
CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers")


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Environment changes that the next create_app sees (the settings are cached per process)."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def app_with(engine: Engine, settings_env: pytest.MonkeyPatch, **env: str) -> FastAPI:
    for name, value in env.items():
        settings_env.setenv(name, value)
    get_settings.cache_clear()
    return create_app(engine)


def read_key(engine: Engine) -> str:
    with Session(engine) as session, session.begin():
        _, secret = keys.create_key(session, name="reader", scope="read")
    return secret


def assert_secure(response: object, *, cors: bool = False) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in SECURITY.items():
        if name == "cross-origin-resource-policy" and cors:
            assert name not in headers
        else:
            assert headers.get(name) == value, (name, response)


def test_security_headers_on_every_kind_of_response(client: TestClient) -> None:
    @client.app.get("/boom")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("unhandled")

    ok = client.get("/claims", params={"topic": "chips"})
    assert ok.status_code == 200
    responses = [
        ok,
        client.get("/claims", params={"topic": "chips"}, headers={"If-None-Match": ok.headers["etag"]}),
        client.get("/claims/c_missing"),  # 404 problem
        client.get("/claims", params={"limit": 500}),  # 422 problem
        client.get("/claims", params={"q": "a\x00b"}),  # 422 from the NUL check, outside the routes
        client.post("/sources", content=b"x" * 2_000_000, headers={"Content-Type": "text/markdown"}),  # 413
        client.get("/no/such/path"),  # 404 from the router
        client.get("/health"),
        client.get("/ready"),
        client.get("/metrics"),
        client.get("/openapi.json"),
        client.get("/boom"),  # 500 from the observability middleware
    ]
    assert [r.status_code for r in responses] == [200, 304, 404, 422, 422, 413, 404, 200, 200, 200, 200, 500]
    for response in responses:
        assert_secure(response)


def test_docs_pages_load_everything_from_the_app_itself(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        csp = page.headers["content-security-policy"]
        assert csp == PAGE_CSP.decode() and "frame-ancestors 'none'" in csp
        assert "http" not in csp and "'unsafe-inline'" not in csp  # no other origin, no inline script
        # Every script, stylesheet and icon the page names is a path on this app, and is served.
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets and "<script>" not in page.text
        for url in assets:
            assert url.startswith("/"), (path, url)
            assert client.get(url).status_code == 200, url
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
    # The vendored viewers ship with their licences.
    for licence in ("swagger-ui/LICENSE", "swagger-ui/NOTICE", "redoc/LICENSE"):
        assert client.get(f"/ui/static/vendor/{licence}").status_code == 200


def test_cors_is_off_by_default(client: TestClient) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    read = client.get("/claims", headers=origin)
    assert read.status_code == 200
    assert not [h for h in read.headers if h.startswith("access-control-")]
    preflight = client.options(
        "/sources", headers={**origin, "Access-Control-Request-Method": "POST"}
    )  # not answered as allowed: the router has no OPTIONS route
    assert preflight.status_code == 405
    assert not [h for h in preflight.headers if h.startswith("access-control-")]
    assert_secure(preflight)


def test_cors_origins_allow_listed_origins_only(engine: Engine, settings_env: pytest.MonkeyPatch) -> None:
    app = app_with(engine, settings_env, AIKB_CORS_ORIGINS="https://a.example, https://b.example")
    with TestClient(app) as client:
        preflight = client.options(
            "/sources/src_1",
            headers={
                "Origin": "https://b.example",
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, content-type, if-none-match",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://b.example"
        methods = set(preflight.headers["access-control-allow-methods"].replace(" ", "").split(","))
        assert methods == {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"}
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert {"authorization", "content-type", "if-none-match"} <= set(allowed.replace(" ", "").split(","))
        assert_secure(preflight, cors=True)

        read = client.get("/claims", headers={"Origin": "https://a.example"})
        assert read.headers["access-control-allow-origin"] == "https://a.example"
        exposed = {h.strip().lower() for h in read.headers["access-control-expose-headers"].split(",")}
        assert exposed == {"etag", "link", "location", "x-request-id", "retry-after"}
        assert_secure(read, cors=True)

        stranger = client.get("/claims", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in stranger.headers
        refused = client.options(
            "/claims", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_cors_origins_star_allows_any_origin(engine: Engine, settings_env: pytest.MonkeyPatch) -> None:
    app = app_with(engine, settings_env, AIKB_CORS_ORIGINS="*")
    with TestClient(app) as client:
        read = client.get("/topics", headers={"Origin": "https://anywhere.example"})
        assert read.headers["access-control-allow-origin"] == "*"
        assert "cross-origin-resource-policy" not in read.headers


def test_anonymous_reads_are_public_and_keyed_reads_private(client: TestClient, engine: Engine) -> None:
    anonymous = client.get("/claims", params={"topic": "chips"})
    assert anonymous.headers["cache-control"] == "public, max-age=60"
    keyed = client.get(
        "/claims", params={"topic": "chips"}, headers={"Authorization": f"Bearer {read_key(engine)}"}
    )
    assert keyed.status_code == 200
    assert keyed.headers["cache-control"] == "private, max-age=60"
    assert keyed.headers["etag"] == anonymous.headers["etag"]  # the same representation
    revalidated = client.get(
        "/claims",
        params={"topic": "chips"},
        headers={"Authorization": f"Bearer {read_key(engine)}", "If-None-Match": keyed.headers["etag"]},
    )
    assert revalidated.status_code == 304 and revalidated.headers["cache-control"] == "private, max-age=60"


def test_reads_are_private_when_they_need_a_key(client: TestClient, engine: Engine) -> None:
    client.app.state.settings = Settings(aikb_read_requires_key=True)  # type: ignore[attr-defined]
    assert client.get("/sources").status_code == 401
    page = client.get("/sources", headers={"Authorization": f"Bearer {read_key(engine)}"})
    assert page.status_code == 200 and page.headers["cache-control"] == "private, max-age=60"
    # Even the public documents of such a service stay out of shared caches.
    assert client.get("/openapi.json").headers["cache-control"] == "private, max-age=60"


def test_the_change_feed_must_be_revalidated_every_time(client: TestClient) -> None:
    feed = client.get("/changes")
    assert feed.status_code == 200
    assert feed.headers["cache-control"] == "no-cache" and feed.headers["etag"]
    same = client.get("/changes", headers={"If-None-Match": feed.headers["etag"]})
    assert same.status_code == 304 and same.headers["cache-control"] == "no-cache"
    probes = [client.get(path) for path in ("/health", "/ready", "/metrics")]
    assert [p.headers["cache-control"] for p in probes] == ["no-store"] * 3


def _get_paths(client: TestClient) -> list[str]:
    """Every GET route of the OpenAPI document, with real ids in place of its path parameters."""
    claim = client.get("/claims", params={"limit": 1}).json()["items"][0]
    ids = {"claim_id": claim["id"], "source_id": claim["source"], "entity_id": "huawei", "slug": "not-found"}
    document = client.get("/openapi.json").json()
    paths = [path for path, operations in document["paths"].items() if "get" in operations]
    return [re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path) for path in paths]


def test_head_answers_every_get_endpoint_with_its_headers_and_no_body(api: TestClient) -> None:
    ignored = {"date", "x-request-id", "content-length"}  # content-length: checked against the body below
    for path in [*_get_paths(api), "/claims?topic=chips&format=csv", "/entities/nvidia-corporation"]:
        got = api.get(path, follow_redirects=False)
        head = api.head(path, follow_redirects=False)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        if path == "/metrics":  # counts the requests themselves: only its headers' names can agree
            assert set(head.headers) == set(got.headers), path
            continue
        if "content-length" in got.headers:
            assert head.headers["content-length"] == str(len(got.content)), path
        assert {k: v for k, v in head.headers.items() if k not in ignored} == {
            k: v for k, v in got.headers.items() if k not in ignored
        }, path


def test_head_revalidates_like_get(api: TestClient) -> None:
    etag = api.get("/claims", params={"topic": "chips"}).headers["etag"]
    head = api.head("/claims", params={"topic": "chips"}, headers={"If-None-Match": etag})
    assert head.status_code == 304 and head.content == b""


def test_a_method_a_path_does_not_take_lists_head_where_get_is_allowed(api: TestClient) -> None:
    refused = api.put("/claims")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
    assert refused.json()["type"] == "/problems/method-not-allowed"
