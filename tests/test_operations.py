"""The operational surface: health, readiness, metrics, request ids, the consoles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from app.main import create_app
from app.repo.engine import make_engine
from app.repo.migrate import current_revision, head_revision
from tests.conftest import make_settings


async def test_healthz_and_readyz_answer_200(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["schema"] == head_revision()


async def test_readyz_is_503_when_the_schema_is_not_at_head(tmp_path: pytest.TempPathFactory) -> None:
    app = create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path}/never-migrated.db"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["schema"] is None
        assert (await c.get("/healthz")).status_code == 200
    await app.state.db.dispose()


async def test_readyz_is_503_when_the_database_does_not_answer() -> None:
    app = create_app(make_settings("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["database"] == "unreachable"
    await app.state.db.dispose()


async def test_schema_is_at_head_after_migrations(database_url: str) -> None:
    engine = make_engine(database_url, null_pool=True)
    assert await current_revision(engine) == head_revision()
    await engine.dispose()


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/v1/events/evt_does_not_matter")  # 401, but routed: the template is the label
    await client.get("/healthz")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert "# TYPE liaison_http_requests_total counter" in text
    assert 'liaison_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'route="/v1/events/{event_id}",status="401"' in text
    assert "evt_does_not_matter" not in text  # ids never become labels
    assert re.search(r'liaison_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="/healthz"\}', text)


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "integrator-42"})
    assert r.headers["x-request-id"] == "integrator-42"
    made = (await client.get("/healthz")).headers["x-request-id"]
    assert len(made) >= 16
    assert made != (await client.get("/healthz")).headers["x-request-id"]
    # errors carry it too
    assert (await client.get("/nowhere", headers={"X-Request-ID": "e-1"})).headers["x-request-id"] == "e-1"


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


async def _assert_self_hosted(client: httpx.AsyncClient, page: httpx.Response) -> list[str]:
    assert page.status_code == 200
    parser = _Assets()
    parser.feed(page.text)
    assert parser.urls, "the page loads assets"
    for url in parser.urls:
        assert url.startswith("/"), f"{url} is loaded from outside the service"
        assert (await client.get(url)).status_code == 200, url
    # nothing in inline scripts points outside either
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", page.text)
    return parser.urls


async def test_docs_load_no_asset_from_outside(client: httpx.AsyncClient) -> None:
    urls = await _assert_self_hosted(client, await client.get("/docs"))
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    assert (await client.get("/docs/oauth2-redirect")).status_code == 200


async def test_graphiql_loads_no_asset_from_outside(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    urls = await _assert_self_hosted(client, page)
    assert any(u.endswith("graphiql.min.js") for u in urls)
