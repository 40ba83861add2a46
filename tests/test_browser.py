"""The console and GraphiQL in a real browser (Debian's chromium, driven by Playwright; nothing downloads
a browser): /docs renders every operation, Authorize with client credentials works, one try-it-out call
answers 200; GraphiQL runs a query with the token in its headers, and loads its schema once a token is
written there. Screenshots are left in
test-artefacts/browser/ (a CI artefact). CI requires the browser (LIAISON_TEST_POSTGRES=required); a
machine without chromium skips."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from app.repo.migrate import upgrade
from tests.factories import PLATFORM, bearer
from tests.processes import served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artefacts" / "browser"
REQUIRED = os.environ.get("LIAISON_TEST_POSTGRES", "").lower() == "required"


@pytest.fixture
def browser_server(tmp_path: Path) -> tuple[str, dict[str, str]]:  # type: ignore[misc]
    if CHROMIUM is None:
        if REQUIRED:
            pytest.fail("chromium is not installed (apt-get install chromium); CI requires the browser test")
        pytest.skip("chromium is not installed")
    url = f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}"
    upgrade(url)
    with served(url, tmp_path / "serve.log") as base:
        org = httpx.post(
            base + "/v1/organizations", json={"name": "Browser", "slug": "browser"}, headers=PLATFORM
        ).json()
        h = bearer(org["id"], "admin")
        httpx.post(base + "/v1/units", json={"name": "Sales", "kind": "department"}, headers=h)
        client = httpx.post(
            base + "/v1/api-clients", json={"name": "Console", "scopes": ["org:read"]}, headers=h
        ).json()
        yield base, {"client_id": client["id"], "client_secret": client["client_secret"], "token": h["Authorization"]}


def test_the_console_and_graphiql_in_a_browser(browser_server: tuple[str, dict[str, str]]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, creds = browser_server
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    document = httpx.get(base + "/openapi.json").json()
    operations = sum(  # every operation, and every webhook (each event type's payload)
        len([m for m in methods if m in ("get", "post", "put", "patch", "delete")])
        for section in ("paths", "webhooks")
        for methods in document[section].values()
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/docs")
        expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
        assert page.locator(".opblock").count() == operations
        page.screenshot(path=str(ARTEFACTS / "docs.png"))

        page.locator("button.authorize").first.click()
        modal = page.locator(".modal-ux")
        modal.locator("input[data-name=clientId]").first.fill(creds["client_id"])
        modal.locator("input[data-name=clientSecret]").first.fill(creds["client_secret"])
        modal.locator("button[aria-label='Apply given OAuth2 credentials']").click()
        expect(modal).to_contain_text("Authorized", timeout=15_000)  # the token came from /v1/oauth/token
        page.screenshot(path=str(ARTEFACTS / "authorized.png"))
        modal.locator("button.btn-done").first.click()

        operation = page.locator("#operations-Units-listUnits")
        operation.locator(".opblock-summary").first.click()
        operation.locator("button.try-out__btn").click()
        operation.locator("button.execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status").first
        expect(status).to_have_text("200", timeout=15_000)
        expect(operation.locator(".live-responses-table")).to_contain_text("next_cursor")  # a page, in JSON
        page.screenshot(path=str(ARTEFACTS / "try-it-out.png"), full_page=False)

        graphiql = browser.new_page(viewport={"width": 1400, "height": 900})
        headers = json.dumps({"Authorization": creds["token"]})
        graphiql.add_init_script(f"window.localStorage.setItem('graphiql:headers', {json.dumps(headers)});")
        graphiql.goto(base + "/graphql")
        run = graphiql.locator(".graphiql-execute-button")
        expect(run).to_be_visible(timeout=30_000)
        run.click()
        expect(graphiql.locator(".result-window")).to_contain_text('"scopes"', timeout=15_000)
        assert "Browser" in graphiql.locator(".result-window").inner_text()
        graphiql.screenshot(path=str(ARTEFACTS / "graphiql.png"))

        # A first visit: the template holds no token, so the schema cannot load; once a token is written
        # in the headers, it loads (the documentation pane shows the root types).
        first = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        first.goto(base + "/graphql")
        expect(first.locator(".graphiql-execute-button")).to_be_visible(timeout=30_000)
        with first.expect_response(
            lambda r: r.url.endswith("/graphql") and r.request.method == "POST"
            and "IntrospectionQuery" in (r.request.post_data or "") and r.status == 200
            and r.request.headers.get("authorization") == creds["token"],
            timeout=30_000,
        ):  # fmt: skip
            first.evaluate(
                """token => {
                  const editors = [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]
                    .filter(e => e.offsetParent !== null);
                  editors[editors.length - 1].CodeMirror.setValue(JSON.stringify({Authorization: token}));
                }""",
                creds["token"],
            )
        first.locator("button[aria-label='Show Documentation Explorer']").click()
        expect(first.locator(".graphiql-doc-explorer")).to_contain_text("Query", timeout=15_000)
        first.screenshot(path=str(ARTEFACTS / "graphiql-schema-after-token.png"))
        browser.close()
