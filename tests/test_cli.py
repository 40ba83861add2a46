"""The CLI as a person uses it: every command opens the one configured database whatever directory it runs
from, refuses (and says where it looked) rather than make a new empty one, and prints what it makes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def liaison(*args: str, cwd: Path, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {"LIAISON_DATA_DIR": str(data), "LIAISON_LOG_LEVEL": "WARNING"}
    return subprocess.run([str(BIN / "liaison"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_one_data_location_whatever_the_working_directory(tmp_path: Path) -> None:
    data, here, elsewhere = tmp_path / "data", tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    refused = liaison("orgs", "create", "--name", "Acme", "--slug", "acme", cwd=here, data=data)
    assert refused.returncode == 2 and str(data / "liaison.db") in refused.stderr, refused.stderr
    assert not (data / "liaison.db").exists() and list(here.iterdir()) == []

    assert liaison("migrate", cwd=here, data=data).returncode == 0
    made = liaison(
        "orgs", "create", "--name", "Acme", "--slug", "acme", "--time-zone", "Europe/Paris", cwd=elsewhere, data=data
    )
    assert made.returncode == 0, made.stderr
    org = json.loads(made.stdout)["id"]
    assert list(elsewhere.iterdir()) == [] and list(here.iterdir()) == [], "no second database anywhere"
    listed = liaison("orgs", "list", cwd=here, data=data)
    assert listed.returncode == 0 and org in listed.stdout and "Europe/Paris" in listed.stdout

    client = liaison(
        "api-clients",
        "create",
        "--org",
        org,
        "--name",
        "SAP connector",
        "--scope",
        "org:read",
        cwd=elsewhere,
        data=data,
    )
    assert client.returncode == 0, client.stderr
    body = json.loads(client.stdout)
    assert body["id"].startswith("client_") and len(body["client_secret"]) > 20 and "once" in client.stderr

    token = liaison("token", "--org", org, "--scope", "admin", cwd=here, data=data)
    assert token.returncode == 0 and token.stdout.count(".") == 2, token.stderr
    assert "made a new secret" in token.stderr or "using the secret kept" in token.stderr
    again = liaison("token", "--org", org, "--scope", "admin", cwd=elsewhere, data=data)
    assert "using the secret kept in" in again.stderr and str(data) in again.stderr
    for unknown in ("org_01J9Z3Q4K6W8X2Y5V7T9R1M3N5", "nothing"):
        r = liaison("token", "--org", unknown, "--scope", "admin", cwd=here, data=data)
        assert r.returncode == 2 and "no organization" in r.stderr, r.stderr


def test_version_and_help_on_every_option(tmp_path: Path) -> None:
    from app.cli import parser

    r = liaison("--version", cwd=tmp_path, data=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("liaison ")
    pending = [parser()]
    while pending:
        p = pending.pop()
        for action in p._actions:
            if action.choices and isinstance(action.choices, dict):
                pending.extend(action.choices.values())
            elif action.option_strings and action.dest not in ("help", "version"):
                assert action.help, f"{p.prog} {action.option_strings} has no help"
