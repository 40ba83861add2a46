"""`liaison serve` as a real process, from a directory with nothing configured: what `make run` does."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_with_nothing_configured(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "liaison"), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        assert httpx.get(base + "/healthz").status_code == 200
        r = httpx.get(base + "/healthz", headers={"X-Request-ID": "from-the-test-7"})
        assert r.headers["x-request-id"] == "from-the-test-7"
        assert (tmp_path / "liaison.db").exists(), "the SQLite file lives in the working directory"
        assert (tmp_path / "liaison.jwt-secret").exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    lines = (tmp_path / "serve.log").read_text().splitlines()
    assert any("liaison.jwt-secret" in line for line in lines), "serve says where the generated secret is"
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(r.get("request_id") == "from-the-test-7" and r.get("route") == "/healthz" for r in records)
