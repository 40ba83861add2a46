"""Class 6 of the hardening review: webhook destinations are judged by what an address means, not by how it
is spelled. Every IPv6 form that carries a refused IPv4 address is refused (mapped, compatible,
translated, 6to4, Teredo, NAT64), and so are the IPv6 ranges that are not globally routable."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from app.domain.webhooks.model import address_allowed
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import make_org

REFUSED_V4 = ["127.0.0.1", "10.1.2.3", "169.254.169.254", "100.64.0.1", "192.168.1.1", "0.0.0.0", "172.16.0.9"]


def ipv6_spellings(v4: str) -> list[str]:
    n = int(ipaddress.IPv4Address(v4))
    hi, lo = n >> 16, n & 0xFFFF
    return [
        f"::{v4}",  # IPv4-compatible
        f"::{hi:x}:{lo:x}",  # the same, in hex
        f"::ffff:{v4}",  # IPv4-mapped
        f"::ffff:{hi:x}:{lo:x}",
        f"0:0:0:0:0:ffff:{v4}",
        f"::ffff:0:{v4}",  # IPv4-translated (SIIT)
        f"64:ff9b::{v4}",  # NAT64 well-known prefix
        f"2002:{hi:x}:{lo:x}::1",  # 6to4
        f"2001:0:4136:e378:8000:63bf:{(~hi) & 0xFFFF:x}:{(~lo) & 0xFFFF:x}",  # Teredo (client obfuscated)
    ]


@pytest.mark.parametrize("v4", REFUSED_V4)
def test_every_ipv6_form_of_a_refused_ipv4_address_is_refused(v4: str) -> None:
    assert not address_allowed(v4)
    for spelled in ipv6_spellings(v4):
        assert not address_allowed(spelled), spelled


def test_ipv6_ranges_that_are_not_global_are_refused() -> None:
    for address in (
        "::",
        "::1",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "ff0e::1",
        "2001:db8::1",
        "100::1",
        "64:ff9b:1::808:808",
        "not an address",
    ):
        assert not address_allowed(address), address


def test_public_addresses_stay_allowed() -> None:
    for address in ("8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1"):
        assert address_allowed(address), address


@pytest.mark.parametrize(
    "host", ["[::127.0.0.1]", "[::7f00:1]", "[::ffff:0:127.0.0.1]", "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::]"]
)
async def test_the_api_refuses_them_as_destinations(database_url: str, host: str) -> None:
    app = create_app(make_settings(database_url, webhook_allow_private_networks=False))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            _org, h = await make_org(c)
            r = await c.post("/v1/webhook-endpoints", json={"url": f"http://{host}/h", "event_types": ["*"]}, headers=h)
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["field"] == "/url"
    finally:
        await app.state.db.dispose()
