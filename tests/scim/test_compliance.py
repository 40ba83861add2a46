"""The scim2-tester package's checks (discovery, create, read with attributes, replace, PATCH add, replace
and remove of every attribute, delete, a random URL) against a served Liaison, over HTTP, on both engines:
none may fail."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from scim2_client.client import BaseSyncSCIMClient
from scim2_tester import Status, check_server

from tests.factories import PLATFORM, token
from tests.processes import served


class HttpxSCIMClient(BaseSyncSCIMClient):
    """scim2-client's engine for the httpx this project pins (its own engines need httpx2 or WSGI)."""

    def __init__(self, client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        url, base = self.client.build_request("GET", endpoint).url, self.client.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port) and url.path.startswith(
            base.path.rstrip("/")
        )

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        return self.client.request(method, url, **kwargs)


def test_scim2_tester_reports_no_failure(database_url: str, tmp_path: Path) -> None:
    with served(database_url, tmp_path / "serve.log") as base:
        made = httpx.post(f"{base}/v1/organizations", json={"name": "Acme", "slug": "acme-scim"}, headers=PLATFORM)
        assert made.status_code == 201, made.text
        headers = {"Authorization": "Bearer " + token(made.json()["id"], "scim")}
        with httpx.Client(base_url=f"{base}/scim/v2/", headers=headers, timeout=30) as http:
            results = check_server(HttpxSCIMClient(http))
    counts = Counter(r.status.name for r in results)
    failures = [
        f"{r.title} [{r.resource_type}]: {r.reason}"
        for r in results
        if r.status not in (Status.SUCCESS, Status.SKIPPED)
    ]
    assert not failures, "\n".join(failures)
    # Users and Groups were both exercised, each kind of check included.
    titles = {(r.title, r.resource_type) for r in results if r.status == Status.SUCCESS}
    for kind in ("User", "Group"):
        for check in ("object_creation", "object_query", "object_replacement", "object_deletion",
                      "check_add_attribute", "check_replace_attribute", "check_remove_attribute"):  # fmt: skip
            assert (check, kind) in titles, (check, kind)
    assert counts["SUCCESS"] >= 60, counts
