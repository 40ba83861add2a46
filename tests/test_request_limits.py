"""The limits on a request's head, on a real `liaison serve` process (app/server.py): too large is answered
431 without the server's memory growing, too slow is answered 408 (or closed) at the configured deadline, and
ordinary requests, bodies larger than the limit and idle keep-alive connections are not affected."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port, wait_ready

BIN = Path(sys.executable).parent
HEADER_TIMEOUT = 1.0  # seconds: LIAISON_HEADER_TIMEOUT; LIAISON_MAX_HEADER_BYTES keeps its default, 64 KiB


class Server:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.base = f"http://127.0.0.1:{port}"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=15)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("limits")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {
        "LIAISON_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'liaison.db'}",
        "LIAISON_JWT_SECRET": "s" * 40,
        "LIAISON_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "LIAISON_LOG_LEVEL": "WARNING",
    }
    log = tmp / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(BIN / "liaison"), "serve", "--no-worker", "--port", str(port)],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    srv = Server(proc, port, log)
    try:
        wait_ready(srv.base, proc, log)
        yield srv
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    """(status, head) of one response on a raw socket, its body read by its content-length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return int(head.split(b" ")[1]), head


def _get(path: str, extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: liaison\r\n" + extra + b"\r\n"


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def test_a_mebibyte_of_headers_is_refused_431_without_growing_memory(server: Server) -> None:
    def send(header_bytes: int) -> tuple[int, float]:
        t = time.perf_counter()
        with server.connect() as sock:
            sock.sendall(_get("/healthz", b"Authorization: Bearer " + b"a" * header_bytes + b"\r\n"))
            status, _ = _read_response(sock)
            assert _closed(sock), "the connection is closed after the 431"
        return status, time.perf_counter() - t

    assert send(128 * 1024)[0] == 431  # once before measuring: the first refusal's allocations (logging…)
    before = server.rss_kib()
    status, seconds = send(1024 * 1024)
    grown = server.rss_kib() - before
    assert status == 431
    assert seconds < 5
    assert grown < 4 * 1024, f"RSS grew by {grown} KiB"
    assert httpx.get(server.base + "/healthz").status_code == 200


def test_headers_under_the_limit_and_bodies_over_it_are_served(server: Server) -> None:
    r = httpx.get(server.base + "/healthz", headers={"X-Padding": "p" * 32 * 1024, "X-Request-ID": "limits-1"})
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "limits-1"
    # Head and a 256 KiB body in one write: the body is not the head's, whatever reads it arrives in.
    with server.connect() as sock:
        body = b"b" * 256 * 1024
        sock.sendall(
            b"POST /healthz HTTP/1.1\r\nHost: liaison\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body
        )
        status, _ = _read_response(sock)
        assert status == 405


def test_an_idle_keep_alive_connection_is_not_cut_by_the_header_deadline(server: Server) -> None:
    with server.connect() as sock:
        sock.sendall(_get("/healthz"))
        assert _read_response(sock)[0] == 200
        time.sleep(HEADER_TIMEOUT + 0.5)  # idle between requests: uvicorn's keep-alive timeout (5 s) applies
        sock.sendall(_get("/healthz"))
        assert _read_response(sock)[0] == 200


def test_a_further_request_on_a_kept_alive_connection_has_a_deadline_of_its_own(server: Server) -> None:
    with server.connect() as sock:
        sock.sendall(_get("/healthz"))
        assert _read_response(sock)[0] == 200
        t = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: liaison\r\n")  # and no end of the headers
        status, _ = _read_response(sock)
        took = time.monotonic() - t
        assert status == 408
        assert _closed(sock)
        assert HEADER_TIMEOUT * 0.8 <= took < 10, took


def test_headers_sent_slowly_are_cut_at_the_deadline_while_others_are_served(server: Server) -> None:
    """A slowloris client: a byte at a time, never finishing its headers. The deadline runs from the start of
    the request, so trickling bytes does not extend it."""
    request = _get("/healthz", b"X-Slow: " + b"s" * 1000 + b"\r\n")
    with server.connect() as slow, server.connect() as silent:
        t = time.monotonic()
        answer = b""
        for i in range(len(request)):
            try:
                slow.sendall(request[i : i + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            if time.monotonic() - t > 15:
                break
            if i == 3:
                assert httpx.get(server.base + "/healthz", timeout=5).status_code == 200  # meanwhile
            slow.settimeout(0.1)
            try:
                answer = slow.recv(65536)
            except TimeoutError:
                continue
            break
        took = time.monotonic() - t
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        slow.settimeout(15)
        assert _closed(slow)
        assert HEADER_TIMEOUT * 0.8 <= took < 10, took

        # A connection that never sends a byte is closed too, without an answer.
        silent.settimeout(15)
        assert _closed(silent)
        assert time.monotonic() - t < 10
    assert httpx.get(server.base + "/healthz").status_code == 200
