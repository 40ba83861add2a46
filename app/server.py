"""uvicorn's httptools protocol with the two limits it lacks: a bound on the size of a request's head and a
deadline for receiving it.

uvicorn 0.54 has neither for httptools. Its h11 protocol has a size bound (`h11_max_incomplete_event_size`,
answered with 400, not 431) but no deadline either: in both protocols the only timer is the keep-alive one,
armed after a response, so a connection that sends nothing, or a header byte every few seconds, is held for
ever. And httptools joins a header's pieces with `bytes +=` as they arrive, which is why one 64 MiB header
cost seconds of CPU and over a hundred MiB. So this subclass keeps httptools (the faster parser) and adds:

- a byte count of the request line and headers, from the start of a request to `on_headers_complete`;
  past `max_header_bytes` the request is answered 431 and nothing more is parsed. The parser is never fed
  past the limit: a read that would cross it is fed up to the limit first, and the rest only if the head
  ended within it. (A pipelined request's head that begins within a read is counted from the next read.)
- a deadline from the connection's start, and from the first byte of each further request, to
  `on_headers_complete`: past it the request is answered 408 (or the connection, if it never sent a byte,
  just closed). Slow bodies and idle keep-alive connections are not its business (the keep-alive timeout,
  5 s, closes those).

After a 431 the connection reads and discards what the client is still sending, for at most a few seconds,
before closing (a "lingering close", as nginx does): closing a socket with unread data makes the kernel send
a reset, and the client would then see a reset instead of the 431."""

from __future__ import annotations

import asyncio
import http

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

LINGER_SECONDS = 2.0


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    max_header_bytes: int = 64 * 1024
    header_timeout: float = 10.0

    _header_bytes = 0  # of the current request's head, counted as read
    _in_head = True  # between the start of a request (or of the connection) and the end of its headers
    _started = False  # a byte of the current request has arrived
    _head_since = 0.0  # loop time the current head's deadline runs from
    _refused = False  # answered 431 or 408: reads are discarded
    # One timer per connection, not one per request: it is not cancelled when a head ends, and when it
    # fires for a later head than it was armed for, it is armed again for that head's deadline.
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_since = self.loop.time()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._in_head:
            super().data_received(data)
            return
        room = self.max_header_bytes - self._header_bytes
        if len(data) <= room:
            self._header_bytes += len(data)
            super().data_received(data)
            return
        # This read would take the head past the limit: feed it up to the limit, and the rest only if the
        # head ended before (the rest is then a body, or the next request's head, counted anew: the
        # count is reset by on_headers_complete).
        self._header_bytes += room
        super().data_received(data[:room])
        if self._in_head and self._header_bytes >= self.max_header_bytes:
            self._refuse(431, linger=True)
        elif not self.transport.is_closing() and self.transport.get_protocol() is self:
            self.data_received(data[room:])

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:  # a further request: its deadline runs from its first byte
            self._in_head = True
            self._head_since = self.loop.time()
        self._started = True
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._started = False
        self._header_bytes = 0
        super().on_headers_complete()

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        left = self._head_since + self.header_timeout - self.loop.time()
        if left > 0:  # armed for an earlier head
            self._head_timer = self.loop.call_later(left, self._head_timed_out)
            return
        if self._started:
            self._refuse(408, linger=False)
        else:
            self.transport.close()  # a connection that never began a request, as at a keep-alive timeout

    def _refuse(self, status: int, *, linger: bool) -> None:
        self._refused = True
        self._cancel_head_timer()
        self._unset_keepalive_if_required()
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request while a response is being written: no room for another answer.
            self.transport.close()
            return
        phrase = http.HTTPStatus(status).phrase
        body = f"{phrase}\n".encode("ascii")
        head = [f"HTTP/1.1 {status} {phrase}\r\n".encode("ascii")]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head.append(b"content-type: text/plain; charset=utf-8\r\n")
        head.append(b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        self.logger.warning("%d %s: %s", status, phrase, self._client_name())
        if linger and self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def _client_name(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "a client"


def limited_http_protocol(max_header_bytes: int, header_timeout: float) -> type[LimitedHttpToolsProtocol]:
    """The protocol class to give uvicorn as `http=`, with these limits."""

    class Configured(LimitedHttpToolsProtocol):
        pass

    Configured.max_header_bytes = max_header_bytes
    Configured.header_timeout = header_timeout
    return Configured
