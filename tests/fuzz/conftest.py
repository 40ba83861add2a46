"""The fuzzing suite: webhook URLs resolved offline, and one line per run in the terminal summary
(requests, operations, failures, time)."""

from __future__ import annotations

import pytest

import app.api.routers.webhooks as webhooks_router
from tests.fuzz.harness import SUMMARIES, OfflineResolver


@pytest.fixture(autouse=True)
def offline_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks_router, "RESOLVER", OfflineResolver())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in SUMMARIES:
        terminalreporter.write_line(line)
