"""The README, run as written: its "First steps" block, its SCIM example and its local webhook walk, in bash, against a
`liaison serve` that the README's first terminal would run, reach a verified webhook delivery. The blocks
are copied from README.md as they are; only the ports (8000, 9000) are changed to free ones."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def blocks_after(heading: str) -> list[str]:
    """The ```sh blocks of a README section."""
    text = (ROOT / "README.md").read_text()
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def test_the_readme_reaches_a_verified_delivery(tmp_path: Path) -> None:
    first_steps = blocks_after("## First steps as an integrator")[0]
    (scim,) = blocks_after("## Provisioning people from an identity provider (SCIM 2.0)")
    serve_block, walk = blocks_after("## Webhooks")[:2]
    assert "LIAISON_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true make run" in serve_block
    api, hooks = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env.pop("XDG_DATA_HOME", None)  # a fresh machine: the default data directory, in a home of its own
    env |= {"HOME": str(tmp_path / "home"), "LIAISON_LOG_LEVEL": "WARNING"}
    # the first terminal: what `LIAISON_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true make run` runs, on a free port
    server_env = {**env, "LIAISON_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true"}
    assert (
        subprocess.run([str(BIN / "liaison"), "migrate"], env=server_env, cwd=ROOT, capture_output=True).returncode == 0
    )
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(BIN / "liaison"), "serve", "--port", str(api)], env=server_env, cwd=ROOT, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    script = (first_steps + "\n" + scim + "\n" + walk).replace("localhost:8000", f"localhost:{api}")
    script = script.replace("127.0.0.1:9000", f"127.0.0.1:{hooks}").replace("--port 9000", f"--port {hooks}")
    script = script.replace(".venv/bin/", f"{BIN}/")  # the suite's own environment is `make install`'s
    output = tmp_path / "walk.out"
    try:
        wait_ready(f"http://127.0.0.1:{api}", server, log)
        with open(output, "w") as out:
            walker = subprocess.Popen(["bash", "-c", script], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)  # fmt: skip
            deadline = time.monotonic() + 60
            while "verified unit.created" not in output.read_text():
                assert time.monotonic() < deadline, output.read_text()[-3000:] + log.read_text()[-2000:]
                time.sleep(0.2)
        text = output.read_text()
        assert '"organization":{"id":"org_' in text and '"client_secret":"lsk_' in text, text[-2000:]
        assert "REFUSED" not in text
        assert '"totalResults":1' in text and '"userName":"ada@acme.example"' in text, text[-2000:]  # SCIM
    finally:  # the server, and the walk's process group (the receiver it left running in the background)
        for proc in (server, locals().get("walker")):
            if proc is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
    assert (tmp_path / "home" / ".local" / "share" / "liaison" / "liaison.db").exists()
