"""The conventions every collection shares: cursors, list filters, ETags and If-Match, idempotency."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.api.instants import Instant
from app.domain.clock import SYSTEM_CLOCK
from app.domain.cursor import decode_cursor, encode_cursor
from app.domain.errors import Conflict, FieldError, Invalid
from app.domain.model import Entity, ListQuery, Page
from app.domain.principal import Principal
from app.repo.uow import SqlUnitOfWork

T = TypeVar("T")
MAX_LIMIT = 200


class Json(JSONResponse):
    """A JSON answer rendered once, by orjson, straight to bytes: routes hand over what the domain built
    (its `resource()`), which the response models only document; validating it again would cost more
    than building it."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class ListOf(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None


def list_of(model: type[BaseModel]) -> Any:
    """The page of a schema made at runtime (app/api/schemas/derive.py): `{data: [...], next_cursor}`."""
    return ListOf[model]  # type: ignore[valid-type]


def parse_external_ref(value: str) -> tuple[str, str]:
    system, sep, external_id = value.partition(":")
    if not sep or not system or not external_id:
        raise Invalid("`external_ref` is `system:id`.", [FieldError("/external_ref", "expected system:id")])
    return system, external_id


async def list_query(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
    updated_since: Annotated[
        Instant | None, Query(description="Only objects changed at or after this instant.")
    ] = None,
    external_ref: Annotated[
        str | None, Query(description="`system:id`: the object that carries this reference.", examples=["sap:E1042"])
    ] = None,
) -> ListQuery:
    return ListQuery(
        limit=limit,
        after=decode_cursor(cursor) if cursor else None,
        updated_since=updated_since,
        external_ref=parse_external_ref(external_ref) if external_ref else None,
    )


Listing = Annotated[ListQuery, Depends(list_query)]


async def plain_list_query(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
    updated_since: Annotated[
        Instant | None, Query(description="Only what changed (or happened) at or after this instant.")
    ] = None,
) -> ListQuery:
    """The paging of a list whose items carry no external references (events, deliveries, organizations):
    an `external_ref` would filter nothing, so it is refused rather than ignored."""
    if "external_ref" in request.query_params:
        raise Invalid(
            "These objects carry no external references: `external_ref` filters nothing here.",
            [FieldError("/external_ref", "not a filter of this list", "unknown_field")],
        )
    return ListQuery(limit=limit, after=decode_cursor(cursor) if cursor else None, updated_since=updated_since)


PlainListing = Annotated[ListQuery, Depends(plain_list_query)]


def page_body(page: Page[Any], render: Callable[[Any], dict[str, Any]]) -> Json:
    return Json(
        {
            "data": [render(x) for x in page.items],
            "next_cursor": encode_cursor(page.next_after) if page.next_after else None,
        }
    )


def etag(entity: Entity) -> str:
    return f'"{entity.id}.v{entity.version}"'


def expected_version(request: Request, object_id: str) -> int | None:
    """From `If-Match`: None when absent or `*`; -1 (matches nothing) for a tag that is not this object's."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    for tag in (t.strip() for t in header.split(",")):
        tag = tag.removeprefix("W/")
        prefix = f'"{object_id}.v'
        digits = tag[len(prefix) : -1]
        # ASCII digits only (str.isdigit takes "²", which int() refuses), and no more than a version can be
        if tag.startswith(prefix) and tag.endswith('"') and digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(digits)
    return -1


def entity_response(
    entity: Entity, status_code: int = 200, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Json:
    return Json(
        body if body is not None else entity.resource(),
        status_code=status_code,
        headers={"ETag": etag(entity), **(headers or {})},
    )


REPLAYED_HEADERS = ("etag", "location")


def _fingerprint(request: Request, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except ValueError:
        canonical = body
    return hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + canonical).hexdigest()


async def idempotent(
    request: Request,
    uow: SqlUnitOfWork,
    principal: Principal,
    produce: Callable[[], Awaitable[Response]],
    scope: str,
    redact: tuple[str, ...] = (),
    anonymous: tuple[str, datetime] | None = None,
    replayed_as: dict[str, Any] | None = None,
) -> Response:
    """POST with `Idempotency-Key`: the first answer is stored in the same transaction as the change and
    replayed for 24 h to the same client; the same key with another body is a 422. `anonymous`: for an
    anonymous create, the client's keyed hash and the day's start, which the record keeps instead of the
    token and the instant. `replayed_as`: values the stored answer keeps instead of the first answer's
    (filled by `produce`: a credential shown once, masked). A replay is an answer
    to the operation: the replaying token needs the operation's `scope` as the first request did."""
    principal.require(scope)
    key = request.headers.get("idempotency-key")
    if key is None:
        return await produce()
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise Invalid(
            "`Idempotency-Key` is 1 to 255 printable characters.",
            [FieldError("/Idempotency-Key", "invalid header", "invalid")],
        )
    client = principal.client_id or principal.subject
    now = SYSTEM_CLOCK.now()
    if anonymous is not None:  # an anonymous create's record names no token and dates it to the day only
        client, now = anonymous
    fingerprint = _fingerprint(request, await request.body())
    stored = await uow.idempotency.find(client, key, now)
    if stored is None:
        if await uow.idempotency.claim(client, key, fingerprint, now):
            response = await produce()
            kept = {k: v for k, v in response.headers.items() if k in REPLAYED_HEADERS}
            body = json.loads(bytes(response.body))
            for name in redact:  # secrets are shown once and never stored in clear, not even for replays
                body.pop(name, None)
            body.update(replayed_as or {})
            await uow.idempotency.complete(client, key, response.status_code, body, kept)
            return response
        # Another request took the key first; its transaction has committed by now: replay its answer.
        await uow.rollback()
        stored = await uow.idempotency.find(client, key, now)
    if stored is None or stored.pending:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
    if stored.fingerprint != fingerprint:
        raise Invalid(
            "This Idempotency-Key was used with another request body.",
            [FieldError("/Idempotency-Key", "reused with a different body", "idempotency_key_reused")],
        )
    return Json(stored.body, status_code=stored.status_code, headers={**stored.headers, "Idempotent-Replayed": "true"})


def only(values: Iterable[str] | None) -> list[str] | None:
    """`?type=a,b&type=c` → [a, b, c]."""
    if not values:
        return None
    return [v for item in values for v in item.split(",") if v]


CSV = "text/csv"


def wants_csv(format: str | None, accept: str) -> bool:
    """`format=csv`, or (without `format`) an `Accept` that names text/csv before application/json."""
    if format is not None:
        return format == "csv"
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return CSV in types and ("application/json" not in types or types.index(CSV) < types.index("application/json"))
