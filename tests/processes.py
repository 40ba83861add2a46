"""`liaison serve` as real processes on a test's database: what several replicas behind a load balancer do."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from tests.factories import JWT_SECRET

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until `base` answers /readyz; fails with the server's log if it exits or takes a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


@contextmanager
def served(database_url: str, log: Path, **settings: str) -> Iterator[str]:
    """One `liaison serve --no-worker` on `database_url` (already migrated); yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_JWT_SECRET": JWT_SECRET,
        "LIAISON_AUTO_MIGRATE": "false",
        "LIAISON_LOG_LEVEL": "WARNING",
        "LIAISON_RATE_LIMIT": "100000/minute",
    }
    env |= {f"LIAISON_{k.upper()}": v for k, v in settings.items()}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(BIN / "liaison"), "serve", "--no-worker", "--port", str(port)],
            cwd=log.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc, log)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@contextmanager
def replicas(database_url: str, directory: Path, count: int, **settings: str) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(served(database_url, directory / f"serve-{i}.log", **settings)) for i in range(count)
        ]


@contextmanager
def worker(database_url: str, log: Path, **settings: str) -> Iterator[subprocess.Popen[bytes]]:
    """One `liaison worker` (webhook delivery and timed jobs) on `database_url`; stopped with SIGTERM."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_JWT_SECRET": JWT_SECRET,
        "LIAISON_AUTO_MIGRATE": "false",
        "LIAISON_LOG_LEVEL": "WARNING",
    }
    env |= {f"LIAISON_{k.upper()}": v for k, v in settings.items()}
    with open(log, "a") as out:
        proc = subprocess.Popen(
            [str(BIN / "liaison"), "worker"], cwd=log.parent, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
