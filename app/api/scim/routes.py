"""SCIM 2.0 at /scim/v2 (RFC 7643, RFC 7644): Users are people, Groups are units, over the provisioning
use cases (app/domain/provisioning), which go through the org chart's own. Bearer tokens with the `scim`
scope; answers and errors in `application/scim+json`. The discovery endpoints need no token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from scim2_models import (
    Context,
    InvalidFilterException,
    InvalidSyntaxException,
    ListResponse,
    PatchOp,
    ResponseParameters,
    SearchRequest,
)
from starlette.responses import Response

from app import jsonbody
from app.api.scim.errors import from_exception, scim_json
from app.api.scim.filters import UnsupportedFilter, group_criterion, user_criterion
from app.api.scim.mapping import (
    group_of,
    member_ids,
    patch_as_meant,
    person_fields,
    primary_email,
    user_of,
    user_payload,
)
from app.api.scim.models import (
    MAX_COUNT,
    POLICY,
    Group,
    User,
)
from app.auth.http import bearer_principal
from app.domain.errors import ErrorList, Invalid
from app.domain.org_chart.model import Unit
from app.domain.provisioning.criteria import Criterion
from app.domain.provisioning.service import Provisioning
from app.domain.text import MAX_DEPTH, depth_of

router = APIRouter(prefix="/scim/v2", include_in_schema=False)

DEFAULT_COUNT = 100


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/scim/v2"


async def _run(request: Request, write: bool, work: Callable[[Provisioning], Awaitable[Response]]) -> Response:
    """The request's one transaction, as /v1's: the caller authenticated (and rate limited) first, the work,
    then a commit when it is a write; every refusal in SCIM's error shape."""
    try:
        principal = await bearer_principal(request)
        db = request.app.state.db
        async with db.unit_of_work(principal.organization_id, write=write, caller=principal) as uow:
            with POLICY:
                response = await work(Provisioning(uow, principal))
            if write:
                await uow.commit()
        return response
    except Exception as exc:
        return from_exception(exc)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = jsonbody.loads(raw or b"null")  # as REST: strict UTF-8, no lone surrogates
    except orjson.JSONDecodeError as exc:
        raise _syntax(f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(body, dict):
        raise Invalid("The body must be a JSON object.")
    if depth_of(body) > MAX_DEPTH:  # no SCIM resource nests this deep; walking it could exhaust the stack
        raise _syntax(f"The body nests more than {MAX_DEPTH} levels deep.")
    return body


def _syntax(detail: str) -> Exception:
    return InvalidSyntaxException(detail=detail)


# --- people as Users -----------------------------------------------------------------------------------


def _dump(resource: Any, params: ResponseParameters[Any] | None = None) -> dict[str, Any]:
    return resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=params)  # type: ignore[no-any-return]


def _created(resource: Any) -> Response:
    location = resource.meta.location
    return scim_json(_dump(resource), 201, {"Location": location})


MAX_START = 2**31  # beyond any organization's people: a page past the end


def _paging(start: Any, count: Any) -> tuple[int, int]:
    """startIndex (1-based; below 1 is 1) and count (0 to 200), as RFC 7644 §3.4.2.4 reads them."""
    errors = ErrorList()
    numbers = []
    for name, value, default in (("startIndex", start, 1), ("count", count, DEFAULT_COUNT)):
        try:
            numbers.append(default if value in (None, "") else int(value))
        except (TypeError, ValueError):
            errors.add(f"/{name}", "must be an integer")
            numbers.append(default)
    errors.raise_if_any()
    return min(max(numbers[0], 1), MAX_START), min(max(numbers[1], 0), MAX_COUNT)


def _criterion(text: str | None, parse: Callable[[str], Criterion]) -> Criterion | None:
    if text is None or not text.strip():
        return None
    try:
        return parse(text)
    except UnsupportedFilter as exc:
        raise InvalidFilterException(detail=str(exc)) from exc


def _response_parameters(model: Any, attributes: Any, excluded: Any) -> ResponseParameters[Any] | None:
    if not attributes and not excluded:
        return None
    return ResponseParameters[model].model_validate(
        {"attributes": attributes or None, "excludedAttributes": excluded or None}
    )


def _list(model: Any, resources: list[Any], total: int, start: int, params: ResponseParameters[Any] | None) -> Response:
    page = ListResponse[model](
        total_results=total, start_index=start, items_per_page=len(resources), resources=resources or None
    )
    body = page.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=params)
    body.setdefault("Resources", [])
    return scim_json(body)


Fetch = Callable[[Provisioning, Criterion | None, int, int, str], Awaitable[tuple[int, list[Any]]]]


async def _search(
    request: Request, query: dict[str, Any], model: Any, parse: Callable[[str], Criterion], fetch: Fetch
) -> Response:
    """A page of the resources that meet a query's filter (GET with parameters, or a posted SearchRequest)."""
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        start, count = _paging(query.get("startIndex"), query.get("count"))
        criterion = _criterion(query.get("filter"), parse)
        params = _response_parameters(model, query.get("attributes"), query.get("excludedAttributes"))
        total, resources = await fetch(p, criterion, start - 1, count, base)
        return _list(model, resources, total, start, params)

    return await _run(request, False, work)


async def _users(p: Provisioning, criterion: Criterion | None, offset: int, count: int, base: str) -> Any:
    total, people = await p.search_people(criterion, offset, count)
    return total, [user_of(x, base) for x in people]


async def _search_users(request: Request, query: dict[str, Any]) -> Response:
    return await _search(request, query, User, user_criterion, _users)


@router.get("/Users")
async def list_users(request: Request) -> Response:
    return await _search_users(request, dict(request.query_params))


@router.post("/Users/.search")
async def search_users(request: Request) -> Response:
    return await _posted_search(request, _search_users)


async def _posted_search(
    request: Request, search: Callable[[Request, dict[str, Any]], Awaitable[Response]]
) -> Response:
    """POST …/.search: a SearchRequest body, answered as the same query by GET would be."""
    try:
        found: SearchRequest[Any] = SearchRequest.model_validate(
            await _body(request), scim_ctx=Context.SEARCH_REQUEST, scim_policy=POLICY
        )
    except Exception as exc:
        return from_exception(exc)
    query = {
        "filter": str(found.filter) if found.filter else None,
        "startIndex": found.start_index,
        "count": found.count,
        "attributes": [str(a) for a in found.attributes or []],
        "excludedAttributes": [str(a) for a in found.excluded_attributes or []],
    }
    return await search(request, query)


@router.get("/Users/{user_id}")
async def get_user(user_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        q = request.query_params
        params = _response_parameters(User, q.get("attributes"), q.get("excludedAttributes"))
        return scim_json(_dump(user_of(await p.person(user_id), base), params))

    return await _run(request, False, work)


@router.post("/Users")
async def create_user(request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        body = user_payload(await _body(request))
        user = User.model_validate(body, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        fields, external_id = person_fields(user, primary_email(body))
        return _created(user_of(await p.create_person(fields, external_id), base))

    return await _run(request, True, work)


@router.put("/Users/{user_id}")
async def replace_user(user_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        await p.person(user_id, lock=True)
        payload = user_payload(await _body(request))
        user = User.model_validate(payload, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        fields, external_id = person_fields(user, primary_email(payload))
        return scim_json(_dump(user_of(await p.update_person(user_id, fields, external_id), base)))

    return await _run(request, True, work)


@router.patch("/Users/{user_id}")
async def patch_user(user_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        current = user_of(await p.person(user_id, lock=True), base)
        body = patch_as_meant(await _body(request))
        patch = PatchOp[User].model_validate(body, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        patch.patch(current)
        fields, external_id = person_fields(current, primary_email(body))
        return scim_json(_dump(user_of(await p.update_person(user_id, fields, external_id), base)))

    return await _run(request, True, work)


@router.delete("/Users/{user_id}")
async def delete_user(user_id: str, request: Request) -> Response:
    async def work(p: Provisioning) -> Response:
        await p.end_person(user_id)
        return Response(status_code=204)

    return await _run(request, True, work)


# --- units as Groups -----------------------------------------------------------------------------------


async def _group(p: Provisioning, unit: Unit, base: str) -> Group:
    return group_of(unit, (await p.members([unit.id]))[unit.id], base)


async def _groups(p: Provisioning, criterion: Criterion | None, offset: int, count: int, base: str) -> Any:
    total, units = await p.search_units(criterion, offset, count)
    members = await p.members([u.id for u in units]) if units else {}
    return total, [group_of(u, members[u.id], base) for u in units]


async def _search_groups(request: Request, query: dict[str, Any]) -> Response:
    return await _search(request, query, Group, group_criterion, _groups)


@router.get("/Groups")
async def list_groups(request: Request) -> Response:
    return await _search_groups(request, dict(request.query_params))


@router.post("/Groups/.search")
async def search_groups(request: Request) -> Response:
    return await _posted_search(request, _search_groups)


@router.get("/Groups/{group_id}")
async def get_group(group_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        q = request.query_params
        params = _response_parameters(Group, q.get("attributes"), q.get("excludedAttributes"))
        return scim_json(_dump(await _group(p, await p.unit(group_id), base), params))

    return await _run(request, False, work)


@router.post("/Groups")
async def create_group(request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        group = Group.model_validate(await _body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        unit = await p.create_unit(group.display_name or "", group.external_id, member_ids(group))
        return _created(await _group(p, unit, base))

    return await _run(request, True, work)


@router.put("/Groups/{group_id}")
async def replace_group(group_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        await p.unit(group_id, lock=True)
        group = Group.model_validate(await _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        unit = await p.update_unit(group_id, group.display_name or "", group.external_id, member_ids(group))
        return scim_json(_dump(await _group(p, unit, base)))

    return await _run(request, True, work)


@router.patch("/Groups/{group_id}")
async def patch_group(group_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        current = await _group(p, await p.unit(group_id, lock=True), base)
        patch = PatchOp[Group].model_validate(await _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        patch.patch(current)
        unit = await p.update_unit(group_id, current.display_name or "", current.external_id, member_ids(current))
        return scim_json(_dump(await _group(p, unit, base)))

    return await _run(request, True, work)


@router.delete("/Groups/{group_id}")
async def delete_group(group_id: str, request: Request) -> Response:
    async def work(p: Provisioning) -> Response:
        await p.delete_unit(group_id)
        return Response(status_code=204)

    return await _run(request, True, work)


# --- discovery (RFC 7644 §4): no token needed ----------------------------------------------------------
