"""Reaching an endpoint safely: resolve its host once, refuse forbidden addresses, and connect to the very
address that was checked (no second resolution that DNS rebinding could turn to an internal host)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from app.domain.webhooks.model import address_allowed


class SystemResolver:
    async def addresses(self, host: str, port: int) -> list[str]:
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    retry_after: float | None


class BlockedAddress(Exception):
    pass


def pinned_request(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL with its host replaced by the checked address, the Host header, and the TLS name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = literal + (f":{parts.port}" if parts.port else "")
    host_header = host if not parts.port else f"{host}:{parts.port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" + (f":{parts.port}" if parts.port else "")
    return (
        urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        {"host": host_header},
        {"sni_hostname": host} if parts.scheme == "https" else {},
    )


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


MAX_RESPONSE_BYTES = 64 * 1024  # what is read of a receiver's answer; the rest is never read


async def post(
    client: httpx.AsyncClient,
    resolver: SystemResolver,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    allow_private: bool,
    deadline: float,
) -> Outcome:
    """One attempt, all of it (resolution, connection, request, headers and the answer's body) within
    `deadline` seconds: a receiver that answers one byte a second cannot hold a worker's slot longer.
    At most MAX_RESPONSE_BYTES of the answer are read."""
    try:
        async with asyncio.timeout(deadline):
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            addresses = await resolver.addresses(parts.hostname or "", port)
            if not addresses:
                return Outcome(None, "the host does not resolve", None)
            allowed = addresses if allow_private else [a for a in addresses if address_allowed(a)]
            if not allowed:
                refused = f"refused: {addresses[0]} is a private, loopback, link-local or reserved address"
                return Outcome(None, refused, None)
            return await _send(client, pinned_request(url, allowed[0]), headers, body)
    except TimeoutError:
        return Outcome(None, f"timed out (no complete answer within {deadline:g} s)", None)


async def _send(
    client: httpx.AsyncClient, pinned: tuple[str, dict[str, str], dict[str, str]], headers: dict[str, str], body: bytes
) -> Outcome:
    target, host, extensions = pinned
    try:
        request = client.build_request("POST", target, content=body, headers={**headers, **host}, extensions=extensions)
        r = await client.send(request, stream=True)
        try:
            read = 0
            async for chunk in r.aiter_raw():
                read += len(chunk)
                if read >= MAX_RESPONSE_BYTES:
                    break
        finally:
            await r.aclose()
    except httpx.TimeoutException:
        return Outcome(None, "timed out", None)
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError) as exc:  # any URL the client refuses
        return Outcome(None, f"{type(exc).__name__}: {str(exc)[:200] or 'connection failed'}", None)
    return Outcome(r.status_code, None, parse_retry_after(r.headers.get("retry-after")))
