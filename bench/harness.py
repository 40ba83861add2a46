"""What every benchmark needs: a PostgreSQL database of its own, servers in their own processes, a load
generator, and medians of rounds that alternate the contenders (the machine is shared and noisy)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx

from app.repo.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = os.environ.get("LIAISON_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def bench_database() -> Iterator[tuple[str, str]]:
    """(asyncpg DSN, SQLAlchemy URL) of a fresh, migrated database, dropped afterwards."""
    name = f"liaison_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(f"{PG}/postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{PG.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        upgrade(url)
        yield f"{PG}/{name}", url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(argv: list[str], env: dict[str, str], health: str) -> Iterator[str]:
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in argv]
    proc = subprocess.Popen(
        argv,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + health, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{argv} did not start")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    print("  (wrk is not installed: `apt-get install wrk` gives steadier figures; using a Python client)")
    return None


def throughput(url: str, headers: dict[str, str], seconds: int = 4, connections: int = 16) -> float:
    """Requests per second that one server answers with 200, measured from another process."""
    wrk = shutil.which("wrk")
    if wrk:
        args = [wrk, "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
        for k, v in headers.items():
            args += ["-H", f"{k}: {v}"]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in out:
            raise RuntimeError(f"non-2xx answers from {url}:\n{out}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return asyncio.run(_python_load(url, headers, seconds, connections))


async def _python_load(url: str, headers: dict[str, str], seconds: float, connections: int) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(headers=headers, limits=limits) as client:

        async def loop() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                r = await client.get(url)
                r.raise_for_status()
                done += 1

        await asyncio.gather(*[loop() for _ in range(connections)])
    return done / seconds


def alternate(contenders: dict[str, Callable[[], float]], rounds: int = 3) -> dict[str, float]:
    """Medians over rounds that run A, B, A, B…, so that a slow moment of the machine hits both."""
    results: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            results[name].append(run())
    return {k: statistics.median(v) for k, v in results.items()}


def timed(fn: Callable[[], object], repeat: int) -> float:
    """The median of `repeat` timings of fn(), in seconds."""
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def throughput_script(base: str, script: Path, seconds: int = 3, connections: int = 16) -> float:
    """Requests per second with wrk running a Lua script (any method, body and headers); every answer must
    be a 2xx."""
    wrk = shutil.which("wrk")
    if not wrk:
        raise RuntimeError("this benchmark needs wrk (`apt-get install wrk`)")
    # A generous timeout: a heavy read that takes seconds under 16 connections is counted, not dropped
    # (wrk's default of 2 s would report 0 requests per second for it).
    args = [wrk, "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "30s", "-s", str(script), base]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"non-2xx answers from {base} with {script.name}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
