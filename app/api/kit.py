"""The REST resource kit: what every collection does the same way, declared once and wired here.

A collection declares its path, its schemas, the service that holds its rules and the words of its
documentation (`Collection`); `register` adds the routes every collection has, each documented and named
for generators (`createUnit`, `listUnits`, …):

- `POST /v1/{path}`: create, with `Idempotency-Key` (the replay needs the collection's write scope);
- `GET /v1/{path}`: a page, the common filters (cursor, `updated_since`, `external_ref`) and its own;
- `GET /v1/{path}/{id}`: one object, with its `ETag` (and `as_of` where the collection keeps history);
- `PATCH /v1/{path}/{id}`: JSON merge patch, with `If-Match`;
- `DELETE /v1/{path}/{id}` where the collection allows it;
- `PUT /v1/{path}/by-external-ref/{system}/{external_id}`: create or update by another system's id.

The service's methods stay hand-written and named in the business's words: the kit calls
`create_{noun}`, `list_{plural}`, `get_{noun}`, `update_{noun}`, `delete_{noun}` and `upsert_{noun}` on
the object `Collection.service` makes for the request's unit of work. Routes that are not CRUD (moves,
ends, walks of a tree) stay in the collection's router, next to the registration."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel

from app.api.conventions import Json, Listing, entity_response, expected_version, idempotent, list_of, page_body
from app.api.deps import UoW
from app.api.instants import Instant
from app.repo.uow import SqlUnitOfWork

MERGE_PATCH = "application/merge-patch+json"
AsOf = Annotated[Instant | None, Query(description="Answer as the org chart stood at this instant (RFC 3339).")]
_KW = inspect.Parameter.KEYWORD_ONLY


@dataclass(frozen=True)
class Operation:
    """The words of one operation: its summary (a line) and description (what it does, what it records)."""

    summary: str
    description: str


@dataclass(frozen=True)
class Collection:
    path: str  # "units": /v1/units
    noun: str  # "unit": create_unit, get_unit, the path parameter unit_id
    plural: str  # "units": list_units
    tag: str
    resource: type[BaseModel]
    create: type[BaseModel]
    patch: type[BaseModel]
    service: Callable[[SqlUnitOfWork], Any]
    write_scope: str
    docs: Mapping[str, Operation]  # by operation: create, list, get, update, delete, upsert
    filters: Mapping[str, Any] = field(default_factory=dict)  # name → annotation of a list's own filters
    history: bool = True  # reads take `as_of`
    put: type[BaseModel] | None = None  # a PUT's body, where it takes more than a creation's (else `create`)
    # For a create that may be anonymous: given the service and the body, the keyed hash and the day the
    # idempotency record keeps instead of the token and the instant (None: the body is not anonymous).
    anonymous_client: Callable[[Any, dict[str, Any]], Awaitable[tuple[str, datetime] | None]] | None = None


def id_filter(description: str, prefix: str) -> Any:
    """A list's filter by the id of a related object (`?owner_unit_id=`), documented with an example id."""
    return Annotated[str | None, Query(description=description, examples=[f"{prefix}_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"])]


def created(obj: Any, path: str) -> Json:
    return entity_response(obj, 201, headers={"Location": f"/v1/{path}/{obj.id}"})


def register(router: APIRouter, c: Collection) -> None:
    """The collection's CRUD routes, in the order the document lists them; `delete` only if documented."""
    for name in ("create", "list", "get", "update", "delete", "upsert"):
        if name in c.docs:
            _ROUTES[name](router, c)


def _route(
    router: APIRouter,
    c: Collection,
    op: str,
    method: str,
    path: str,
    endpoint: Callable[..., Any],
    params: list[inspect.Parameter],
    **options: Any,
) -> None:
    endpoint.__signature__ = inspect.Signature(params, return_annotation=Response)  # type: ignore[attr-defined]
    name = {"list": f"list_{c.plural}"}.get(op, f"{op}_{c.noun}")
    tags: list[str | Enum] = [c.tag]
    router.add_api_route(
        path,
        endpoint,
        methods=[method],
        name=name,
        tags=tags,
        summary=c.docs[op].summary,
        description=c.docs[op].description,
        **options,
    )


def _p(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, _KW, annotation=annotation, default=default)


def _as_of(c: Collection) -> list[inspect.Parameter]:
    return [_p("as_of", AsOf, None)] if c.history else []


def _create(router: APIRouter, c: Collection) -> None:
    async def endpoint(body: BaseModel, request: Request, uow: SqlUnitOfWork) -> Response:
        service = c.service(uow)
        fields = body.model_dump()

        async def produce() -> Response:
            return created(await getattr(service, f"create_{c.noun}")(fields), c.path)

        keyed = c.anonymous_client is not None and "idempotency-key" in request.headers
        anonymous = await c.anonymous_client(service, fields) if keyed and c.anonymous_client else None
        return await idempotent(request, uow, uow.caller, produce, c.write_scope, anonymous=anonymous)

    params = [_p("body", c.create), _p("request", Request), _p("uow", UoW)]
    _route(router, c, "create", "POST", f"/{c.path}", endpoint, params, status_code=201, response_model=c.resource)


def _list(router: APIRouter, c: Collection) -> None:
    async def endpoint(query: Any, uow: SqlUnitOfWork, as_of: Any = None, **filters: Any) -> Response:
        chosen = replace(query, filters={k: v for k, v in filters.items() if v is not None})
        service = c.service(uow)
        method = getattr(service, f"list_{c.plural}")
        page = await (method(chosen, as_of) if c.history else method(chosen))
        return page_body(page, lambda x: x.resource())

    params = [_p("query", Listing), _p("uow", UoW), *_as_of(c)]
    params += [_p(name, annotation, None) for name, annotation in c.filters.items()]
    _route(
        router,
        c,
        "list",
        "GET",
        f"/{c.path}",
        endpoint,
        params,
        response_model=list_of(c.resource),
    )


def _get(router: APIRouter, c: Collection) -> None:
    id_name = f"{c.noun}_id"

    async def endpoint(uow: SqlUnitOfWork, as_of: Any = None, **ids: str) -> Response:
        method = getattr(c.service(uow), f"get_{c.noun}")
        return entity_response(await (method(ids[id_name], as_of) if c.history else method(ids[id_name])))

    params = [_p(id_name, str), _p("uow", UoW), *_as_of(c)]
    _route(router, c, "get", "GET", f"/{c.path}/{{{id_name}}}", endpoint, params, response_model=c.resource)


def _update(router: APIRouter, c: Collection) -> None:
    id_name = f"{c.noun}_id"

    async def endpoint(request: Request, uow: SqlUnitOfWork, body: BaseModel, **ids: str) -> Response:
        object_id = ids[id_name]
        changed = await getattr(c.service(uow), f"update_{c.noun}")(
            object_id, body.model_dump(exclude_unset=True), expected_version(request, object_id)
        )
        return entity_response(changed)

    body = Annotated[c.patch, Body(media_type=MERGE_PATCH)]  # type: ignore[name-defined]
    params = [_p(id_name, str), _p("request", Request), _p("uow", UoW), _p("body", body)]
    _route(router, c, "update", "PATCH", f"/{c.path}/{{{id_name}}}", endpoint, params, response_model=c.resource)


def _delete(router: APIRouter, c: Collection) -> None:
    id_name = f"{c.noun}_id"

    async def endpoint(request: Request, uow: SqlUnitOfWork, **ids: str) -> Response:
        object_id = ids[id_name]
        await getattr(c.service(uow), f"delete_{c.noun}")(object_id, expected_version(request, object_id))
        return Response(status_code=204)

    params = [_p(id_name, str), _p("request", Request), _p("uow", UoW)]
    _route(router, c, "delete", "DELETE", f"/{c.path}/{{{id_name}}}", endpoint, params, status_code=204)


def _upsert(router: APIRouter, c: Collection) -> None:
    async def endpoint(system: str, external_id: str, body: BaseModel, uow: SqlUnitOfWork) -> Response:
        obj, was_created = await getattr(c.service(uow), f"upsert_{c.noun}")(system, external_id, body.model_dump())
        return created(obj, c.path) if was_created else entity_response(obj)

    params = [_p("system", str), _p("external_id", str), _p("body", c.put or c.create), _p("uow", UoW)]
    _route(
        router,
        c,
        "upsert",
        "PUT",
        f"/{c.path}/by-external-ref/{{system}}/{{external_id}}",
        endpoint,
        params,
        response_model=c.resource,
        responses={201: {"model": c.resource, "description": "Created"}},
    )


_ROUTES: dict[str, Callable[[APIRouter, Collection], None]] = {
    "create": _create,
    "list": _list,
    "get": _get,
    "update": _update,
    "delete": _delete,
    "upsert": _upsert,
}
