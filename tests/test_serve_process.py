"""`liaison serve` as a real process, from a directory with nothing configured: what `make run` does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.processes import free_port, wait_ready

BIN = Path(sys.executable).parent


def test_serve_with_nothing_configured(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # the default data directory: ~/.local/share/liaison
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
        wait_ready(base, proc, tmp_path / "serve.log")
        assert httpx.get(base + "/healthz").status_code == 200
        r = httpx.get(base + "/healthz", headers={"X-Request-ID": "from-the-test-7"})
        assert r.headers["x-request-id"] == "from-the-test-7"
        data = tmp_path / "xdg" / "liaison"
        assert (data / "liaison.db").exists(), "the SQLite file lives in the data directory"
        assert (data / "liaison.jwt-secret").exists()
        assert not (tmp_path / "liaison.db").exists(), "nothing in the working directory"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    lines = (tmp_path / "serve.log").read_text().splitlines()
    assert any("liaison.jwt-secret" in line for line in lines), "serve says where the generated secret is"
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(r.get("request_id") == "from-the-test-7" and r.get("route") == "/healthz" for r in records)
