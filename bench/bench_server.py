"""The cost of the limits on a request's head (app/server.py), against today's server, side by side.

Contenders, each its own uvicorn process serving `GET /healthz` (through Liaison's whole middleware stack) and,
to see the protocol's cost alone, a bare ASGI app answering 200 to anything:

- today:   uvicorn's default protocol, httptools (what `liaison serve` ran before: no head size limit, no
           head deadline);
- limited: the same protocol with the size count and the deadline timer (`liaison serve` now);
- h11:     uvicorn's h11 protocol with `h11_max_incomplete_event_size` at the same limit (size only, answered
           400, and no deadline either), for reference: the protocol the issue named.

Throughput with `wrk -t1 -c16` (keep-alive connections), rounds alternating, medians; and the server's CPU
time per request over the same runs (from /proc/PID/stat), which moves less with the machine's load. Also, once each: what a 1 MiB and a 64 MiB header cost, in time and in the server's memory."""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.harness import BIN, alternate, ensure_wrk, server, throughput

MODES = ("today", "limited", "h11")
SECONDS = 4
ROUNDS = 3


async def bare_app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def serve(mode: str, app_kind: str, port: int) -> None:
    """One contender, in this process (run by the benchmark as `python -m bench.bench_server …`)."""
    import uvicorn

    from app.main import create_app
    from app.observability import configure_logging
    from app.repo.migrate import upgrade
    from app.server import limited_http_protocol
    from app.settings import Settings

    settings = Settings()
    app: Any = bare_app
    if app_kind == "liaison":
        configure_logging(settings.log_level, settings.log_json)
        upgrade(settings.database_url)
        app = create_app(settings, with_worker=False)
    http: Any = {
        "today": "httptools",
        "limited": limited_http_protocol(settings.max_header_bytes, settings.header_timeout),
        "h11": "h11",
    }[mode]
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        http=http,
        log_config=None,
        proxy_headers=True,
        server_header=False,
        h11_max_incomplete_event_size=settings.max_header_bytes if mode == "h11" else None,
    )


def _load(base: str, cpu_us: list[float]) -> float:
    """Requests per second of one round; the server's µs of CPU per request appended to cpu_us."""
    pid = _listener_pid(int(base.rsplit(":", 1)[1]))
    before = _cpu_seconds(pid)
    rate = throughput(base + "/healthz", {}, SECONDS)
    cpu_us.append((_cpu_seconds(pid) - before) / (rate * SECONDS) * 1e6)
    return rate


def big_header(base: str, size: int) -> tuple[str, float, int, int]:
    """(first line of the answer, seconds, KiB of RSS at its peak and after, above what it was before) for one
    request with a `size`-byte header."""
    host, port = base.removeprefix("http://").split(":")
    pid = _listener_pid(int(port))
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM, the peak, starts again from VmRSS
    before = _status_kib(pid, "VmRSS")
    t = time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"a" * size + b"\r\n\r\n")
            answer = sock.recv(200).split(b"\r\n")[0].decode() or "(closed)"
        except OSError as exc:
            answer = f"({type(exc).__name__})"
    seconds = time.perf_counter() - t
    time.sleep(0.5)  # the server may still be parsing what it had read when it answered
    return answer, seconds, max(0, _status_kib(pid, "VmHWM") - before), _status_kib(pid, "VmRSS") - before


def _listener_pid(port: int) -> int:
    """The pid of the process listening on this port (the harness keeps only its own Popen)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
            inode = fields[9]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]" for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    raise RuntimeError(f"no process listens on {port}")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process (the steadier measure on a shared machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        env = {
            "LIAISON_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
            "LIAISON_JWT_SECRET": secrets.token_urlsafe(32),
            "LIAISON_RATE_LIMIT": "1000000000/minute",
            "LIAISON_LOG_LEVEL": "WARNING",
        }
        py = str(BIN / "python")
        bases: dict[tuple[str, str], str] = {}
        for app_kind in ("liaison", "bare"):
            for mode in MODES:
                argv = [py, "-m", "bench.bench_server", mode, app_kind, "{port}"]
                bases[app_kind, mode] = stack.enter_context(server(argv, env, "/healthz"))

        for app_kind, label in (("liaison", "GET /healthz, Liaison's app"), ("bare", "GET /healthz, a bare ASGI app")):
            cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
            results = alternate(
                {
                    mode: (lambda b=bases[app_kind, mode], c=cpu[mode]: _load(b, c))  # type: ignore[misc]
                    for mode in MODES
                },
                rounds=ROUNDS,
            )
            us = {mode: statistics.median(v) for mode, v in cpu.items()}
            print(f"  {label}, wrk -c16, medians of {ROUNDS} alternating rounds of {SECONDS} s:")
            for mode in MODES:
                print(
                    f"    {mode:8} {results[mode]:9,.0f} req/s  {results[mode] / results['today']:5.2f}× today"
                    f"   {us[mode]:6.1f} µs CPU/request  {us[mode] / us['today']:5.2f}× today"
                )

        for size, label in ((1024 * 1024, "1 MiB"), (64 * 1024 * 1024, "64 MiB")):
            print(f"  one request with a {label} Authorization header (Liaison's app; RSS above before it):")
            for mode in MODES:
                answer, seconds, peak, after = big_header(bases["liaison", mode], size)
                print(
                    f"    {mode:8} {answer:45} {seconds:6.2f} s"
                    f"  RSS peak +{peak / 1024:5.1f} MiB, after +{after / 1024:5.1f} MiB"
                )


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], int(sys.argv[3]))
