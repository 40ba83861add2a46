"""A webhook receiver that answers 200 at once and then sends its body one byte a second: the receiver
that held worker slots for minutes before each attempt had a total deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Trickle:
    url: str
    received: list[tuple[str, float]] = field(default_factory=list)  # (webhook-id, when)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def ids(self) -> list[str]:
        with self.lock:
            return [i for i, _ in self.received]


@contextmanager
def trickling_receivers(count: int, seconds: int = 120) -> Iterator[list[Trickle]]:
    stop = threading.Event()
    states = [Trickle(url="", stop=stop) for _ in range(count)]
    servers = []
    for state in states:

        class Handler(BaseHTTPRequestHandler):
            me = state

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with self.me.lock:
                    self.me.received.append((self.headers.get("webhook-id", ""), time.monotonic()))
                self.send_response(200)
                self.send_header("content-length", str(seconds))
                self.end_headers()
                for _ in range(seconds):
                    if self.me.stop.wait(1.0):
                        return
                    try:
                        self.wfile.write(b".")
                        self.wfile.flush()
                    except OSError:
                        return

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    try:
        yield states
    finally:
        stop.set()
        for server in servers:
            server.shutdown()
            server.server_close()
