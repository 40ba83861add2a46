"""SCIM 2.0 at /scim/v2 (RFC 7643, RFC 7644): Users are people, Groups are units, over the provisioning
use cases (app/domain/provisioning), which go through the org chart's own. Bearer tokens with the `scim`
scope; answers and errors in `application/scim+json`. The discovery endpoints need no token."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    InvalidFilterException,
    InvalidSyntaxException,
    ListResponse,
    Meta,
    Patch,
    PatchOp,
    ResponseParameters,
    Schema,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
)
from starlette.responses import Response

from app.api.scim.errors import from_exception, scim_error, scim_json
from app.api.scim.filters import UnsupportedFilter, group_criterion, user_criterion
from app.api.scim.models import (
    ENTERPRISE_SCHEMA,
    POLICY,
    Email,
    EnterpriseUser,
    Group,
    Manager,
    Member,
    Name,
    User,
    resource_types,
)
from app.auth.http import bearer_principal
from app.domain.errors import ErrorList, Invalid
from app.domain.org_chart.model import Person, Unit
from app.domain.provisioning.criteria import Criterion
from app.domain.provisioning.service import SYSTEM, Provisioning

router = APIRouter(prefix="/scim/v2", include_in_schema=False)

MAX_COUNT = 200  # resources one page carries (ServiceProviderConfig's filter.maxResults)
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
        body = orjson.loads(raw or b"null")  # as REST: strict UTF-8, no lone surrogates
    except orjson.JSONDecodeError as exc:
        raise _syntax(f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(body, dict):
        raise Invalid("The body must be a JSON object.")
    return body


def _syntax(detail: str) -> Exception:
    return InvalidSyntaxException(detail=detail)


# --- people as Users -----------------------------------------------------------------------------------


def user_of(p: Person, base: str) -> User:
    user = User(
        id=p.id,
        external_id=p.external_refs.get(SYSTEM),
        user_name=p.sign_in_name,
        name=Name(given_name=p.given_name, family_name=p.family_name),
        title=p.title,
        active=p.status == "active",
        emails=[Email(value=p.email)] if p.email else None,
        meta=Meta(
            resource_type="User",
            created=p.created_at,
            last_modified=p.updated_at,
            location=f"{base}/Users/{p.id}",
            version=f'W/"{p.version}"',
        ),
    )
    if p.department is not None or p.manager_id is not None:
        manager = Manager(value=p.manager_id, ref=f"{base}/Users/{p.manager_id}") if p.manager_id else None
        user[EnterpriseUser] = EnterpriseUser(department=p.department, manager=manager)
    return user


def person_fields(user: User, primary_email: str | None = None) -> tuple[dict[str, Any], str | None]:
    """(the person's fields, the provider's external id) from a User; `primary_email`:
    the value of the email the request marked primary (the models keep no `primary`)."""
    emails = user.emails or []
    primary = next((e for e in emails if primary_email and e.value == primary_email), emails[0] if emails else None)
    extension = user[EnterpriseUser] if EnterpriseUser in type(user).get_extension_models().values() else None
    manager = extension.manager.value if extension is not None and extension.manager is not None else None
    fields = {
        "user_name": user.user_name,
        "given_name": user.name.given_name if user.name else None,
        "family_name": user.name.family_name if user.name else None,
        "email": primary.value if primary is not None else None,
        "title": user.title,
        "status": "inactive" if user.active is False else "active",
        "manager_id": manager,
        "department": extension.department if extension is not None else None,
    }
    return fields, user.external_id


def primary_email(body: Any) -> str | None:
    """The value of the email a request marks `primary` (in a User, or in a PATCH operation's value)."""
    if isinstance(body, list):
        return next((found for item in body if (found := primary_email(item))), None)
    if not isinstance(body, dict):
        return None
    keys = {str(k).lower(): v for k, v in body.items()}
    if keys.get("primary") is True and isinstance(keys.get("value"), str) and "@" in keys["value"]:
        return str(keys["value"])
    return next((found for v in body.values() if (found := primary_email(v))), None)


_EMAIL_SELECTION = re.compile(r"^emails\[(?P<filter>[^\]]*)\](\.value)?$", re.I)


def _selects_our_email(path: str) -> bool:
    """`emails[type eq "work"]` or `emails[primary eq true].value`: a selection by what Liaison does not keep
    (a selection by `value` is a real filter, applied as written)."""
    found = _EMAIL_SELECTION.match(path)
    return found is not None and not re.search(r"\bvalue\b", found["filter"], re.I)


def _patch_as_meant(body: dict[str, Any]) -> dict[str, Any]:
    """PATCH operations as identity providers mean them, where their words name what Liaison does not keep.
    Liaison keeps one email: a path that selects an email by its `type` or `primary`
    (`emails[type eq "work"].value`, Entra ID's mapping of `mail`) designates that one. A manager sent as
    a bare id (Entra ID) is the manager whose `value` that is."""
    operations = next((v for k, v in body.items() if k.lower() == "operations"), None)
    if not isinstance(operations, list):
        return body
    meant: list[Any] = []
    for op in operations:
        if isinstance(op, dict):
            op = {str(k).lower(): v for k, v in op.items()}
            path, value = op.get("path"), op.get("value")
            if isinstance(path, str) and _selects_our_email(path):
                op["path"] = "emails"
                if str(op.get("op", "")).lower() != "remove":
                    op = {**op, "op": "replace", "value": [{"value": _email_value(value)}]}
            elif isinstance(path, str) and path.lower().endswith("manager") and isinstance(value, str):
                op["value"] = {"value": value}
            elif path is None and isinstance(value, dict):
                selected = [k for k in value if _selects_our_email(str(k))]
                for key in selected:  # the one email, replaced (an add would append a second one)
                    meant.append({"op": "replace", "path": "emails", "value": [{"value": _email_value(value[key])}]})
                op["value"] = _value_as_meant({k: v for k, v in value.items() if k not in selected})
                if not op["value"] and selected:
                    continue
        meant.append(op)
    return {**{k: v for k, v in body.items() if k.lower() != "operations"}, "Operations": meant}


def _email_value(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) else value


def _value_as_meant(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        lowered = str(key).lower()
        if (lowered.endswith(":manager") or lowered == "manager") and isinstance(item, str):
            out[key] = {"value": item}
        elif lowered == ENTERPRISE_SCHEMA.lower() and isinstance(item, dict):
            out[key] = _value_as_meant(item)
        else:
            out[key] = item
    return out


def _user_payload(body: dict[str, Any]) -> dict[str, Any]:
    """Liaison keeps people active or not: a User sent without `active` is active."""
    if not any(k.lower() == "active" for k in body):
        body = {**body, "active": True}
    return body


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
        body = _user_payload(await _body(request))
        user = User.model_validate(body, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        fields, external_id = person_fields(user, primary_email(body))
        return _created(user_of(await p.create_person(fields, external_id), base))

    return await _run(request, True, work)


@router.put("/Users/{user_id}")
async def replace_user(user_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        await p.person(user_id, lock=True)
        payload = _user_payload(await _body(request))
        user = User.model_validate(payload, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        fields, external_id = person_fields(user, primary_email(payload))
        return scim_json(_dump(user_of(await p.update_person(user_id, fields, external_id), base)))

    return await _run(request, True, work)


@router.patch("/Users/{user_id}")
async def patch_user(user_id: str, request: Request) -> Response:
    base = _base(request)

    async def work(p: Provisioning) -> Response:
        current = user_of(await p.person(user_id, lock=True), base)
        body = _patch_as_meant(await _body(request))
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


def group_of(u: Unit, members: list[Person], base: str) -> Group:
    return Group(
        id=u.id,
        external_id=u.external_refs.get(SYSTEM),
        display_name=u.name,
        members=[Member(value=m.id, ref=f"{base}/Users/{m.id}", type="User") for m in members] or None,
        meta=Meta(
            resource_type="Group",
            created=u.created_at,
            last_modified=u.updated_at,
            location=f"{base}/Groups/{u.id}",
            version=f'W/"{u.version}"',
        ),
    )


def member_ids(group: Group) -> list[str]:
    errors = ErrorList()
    out = []
    for i, m in enumerate(group.members or []):
        if m.type not in (None, "User"):
            errors.add(f"/members/{i}/type", "Liaison's Groups hold Users only (units hold people)")
        elif not m.value:
            errors.add(f"/members/{i}/value", "is required", "required")
        else:
            out.append(m.value)
    errors.raise_if_any("A member is no User.")
    return out


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


def service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri="https://datatracker.ietf.org/doc/html/rfc7644",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description="A JWT with the `scim` scope (an API client's token from /v1/oauth/token).",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base}/ServiceProviderConfig"),
    )


def schemas(base: str) -> list[Schema]:
    out = []
    for model, name in ((User, "User"), (Group, "Group"), (EnterpriseUser, "EnterpriseUser")):
        schema = model.to_schema()
        schema.name = name
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
        out.append(schema)
    return out


def _discovery(body: Any) -> Response:
    return scim_json(body.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _listing(items: list[Any]) -> Response:
    listing: Any = ListResponse[type(items[0])]  # type: ignore[misc]
    page = listing(total_results=len(items), start_index=1, items_per_page=len(items), resources=items)
    return scim_json(page.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


@router.get("/ServiceProviderConfig")
async def get_service_provider_config(request: Request) -> Response:
    return _discovery(service_provider_config(_base(request)))


@router.get("/Schemas")
async def list_schemas(request: Request) -> Response:
    return _listing(schemas(_base(request)))


def _one(items: list[Any], wanted: str, what: str) -> Response:
    found = next((x for x in items if str(x.id).lower() == wanted.lower()), None)
    return _discovery(found) if found is not None else scim_error(404, f"No {what} {wanted}.")


@router.get("/Schemas/{schema_id}")
async def get_schema(schema_id: str, request: Request) -> Response:
    return _one(schemas(_base(request)), schema_id, "schema")


@router.get("/ResourceTypes")
async def list_resource_types(request: Request) -> Response:
    return _listing(resource_types(_base(request)))


@router.get("/ResourceTypes/{type_id}")
async def get_resource_type(type_id: str, request: Request) -> Response:
    return _one(resource_types(_base(request)), type_id, "resource type")


@router.post("/.search")
async def search_everything(request: Request) -> Response:
    """Searching Users and Groups at once is not offered: search each endpoint (RFC 7644 §3.4.3)."""
    return scim_error(501, "Search /Users/.search or /Groups/.search; searching both at once is not offered.")
