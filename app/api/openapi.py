"""The OpenAPI document as a product: what generators and consoles need beyond what FastAPI writes.

- every error response is `application/problem+json` with the `Problem` schema and an example;
- operation ids an SDK can name (`createUnit`, `listPeople`), from the endpoint's name;
- the headers of the conventions: `Idempotency-Key` and `If-Match` where the route's code honours them, `ETag`,
  `Location`, the `RateLimit-*` headers on every authenticated answer, `Retry-After` on a 429;
- a description and an example on every parameter, request body and success response, and on every
  webhook, the examples made from the schemas themselves (so that a new resource has them for free);
- top-level tags with descriptions and `servers` (scopes are described where they are declared,
  app/domain/principal.py)."""

from __future__ import annotations

import inspect
import re
import types
from http import HTTPStatus
from typing import Any

from fastapi.routing import APIRoute

from app.api.examples import example_of, words
from app.api.problems import problem_body
from app.domain.events import CATALOGUE

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

TAGS: list[dict[str, str]] = [
    {"name": "Units", "description": "Departments, teams and the other units of the org chart, with their history."},
    {"name": "People", "description": "The people of the organization, their managers and reports."},
    {"name": "Memberships", "description": "Who belongs to which unit, in which role, from when to when."},
    {"name": "Org chart", "description": "The whole chart in one read, and the bulk sync from an HR system."},
    {
        "name": "Objectives",
        "description": "Shared objectives across departments, their key results and check-ins, and a roll-up"
        " that explains every figure.",
    },
    {
        "name": "Handoffs",
        "description": "Work passed between departments: offered, accepted or declined with a reason, timed per"
        " unit by two clocks, with policies, a timeline and comments.",
    },
    {
        "name": "Roles and responsibilities",
        "description": "Roles and who holds them, RACI entries on objectives, key results, handoffs and units,"
        " resolved to people with the path that put each there; a unit's matrix; a person's feed.",
    },
    {
        "name": "Feedback",
        "description": "Feedback between people and departments, requests for it, and surveys whose anonymity"
        " holds: nothing stored names an anonymous author, and small groups are suppressed in results.",
    },
    {"name": "Webhooks", "description": "Endpoints that receive events, signed (Standard Webhooks)."},
    {"name": "Events", "description": "The organization's event log: every change, in order."},
    {"name": "Calendars", "description": "A unit's or a person's dates as iCalendar feeds, at secret URLs."},
    {"name": "API clients", "description": "Credentials for integrations (OAuth 2.0 client credentials)."},
    {"name": "OAuth", "description": "Trade an API client's id and secret for a bearer token."},
    {"name": "Organizations", "description": "Tenants of this Liaison (platform operators only)."},
    {"name": "Operations", "description": "Liveness, readiness and metrics for the people who run Liaison."},
]

# Parameters by name: a description and an example, for every operation that takes them.
PARAMETERS: dict[str, tuple[str, Any]] = {
    "organization_id": ("The organization's id.", "org_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "client_id": ("The API client's id.", "client_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "event_id": ("The event's id.", "evt_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "unit_id": ("The unit's id.", "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "person_id": ("The person's id.", "person_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "membership_id": ("The membership's id.", "mbr_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "endpoint_id": ("The webhook endpoint's id.", "whe_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "delivery_id": ("The delivery's id.", "dlv_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "objective_id": ("The objective's id.", "obj_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "key_result_id": ("The key result's id.", "kr_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "check_in_id": ("The check-in's id.", "chk_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "handoff_id": ("The handoff's id.", "ho_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "handoff_policy_id": ("The handoff policy's id.", "hop_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "role_id": ("The role's id.", "role_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "role_assignment_id": ("The role assignment's id.", "rola_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "raci_entry_id": ("The RACI entry's id.", "raci_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "feedback_id": ("The feedback's id.", "fb_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "feedback_request_id": ("The feedback request's id.", "fbr_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "survey_id": ("The survey's id.", "srv_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "feed_id": ("The calendar feed's id.", "calfeed_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "feed_token": ("The secret part of the feed's URL, as its creation answered it.", "lcf_calfeed_01J9….Xq3"),
    "system": ("The external system's name, as in `external_refs`.", "sap"),
    "external_id": ("The object's id in that system.", "E1042"),
    "limit": ("Page size (at most 200).", 50),
    "cursor": ("`next_cursor` of the previous page.", "eyJhZnRlciI6InVuaXRfMDFKOVozUTRLNlc4WDJZNVY3VDlSMU0zTjUifQ"),
    "updated_since": ("Only objects changed at or after this instant.", "2026-03-01T00:00:00Z"),
    "external_ref": ("`system:id`: the object that carries this reference.", "sap:E1042"),
    "as_of": ("Answer as the org chart stood at this instant (RFC 3339).", "2026-01-15T09:00:00Z"),
    "parent_id": ("Only the children of this unit.", "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "root_id": ("Start the chart at this unit instead of the top.", "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "manager_id": ("Only the direct reports of this person.", "person_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "max_depth": ("Levels below the starting unit.", 2),
    "recursive": ("Every report below the person, not only the direct ones.", False),
    "kind": ("Only units of this kind.", "department"),
    "status": ("Only people with this status.", "active"),
    "type": ("Event types, repeated or comma-separated; `unit.*` takes a family.", "unit.created"),
    "after": ("Only events after this event id.", "evt_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    "link_url": ("Only objects with a link to exactly this URL.", "https://docs.example.com/d/q3-plan"),
}

RATE_LIMIT_HEADERS: dict[str, Any] = {
    "RateLimit-Limit": {"description": "Requests allowed in the window.", "schema": {"type": "integer"}},
    "RateLimit-Remaining": {"description": "Requests left in the window.", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until the window resets.", "schema": {"type": "integer"}},
    "RateLimit-Policy": {"description": "The limit and its window, e.g. `600;w=60`.", "schema": {"type": "string"}},
}
ETAG = {"description": "The object's version, for `If-Match`.", "schema": {"type": "string"}, "example": '"3"'}
LOCATION = {"description": "The URL of the object created.", "schema": {"type": "string"}}
RETRY_AFTER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}, "example": 12}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string: a retry with the same key and body gets the first answer again (24 h).",
    "schema": {"type": "string", "maxLength": 255},
    "example": "8e0f3c1a-4d5b-4a8e-9a62-1f0b9d7c2e4a",
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The `ETag` you read: the change is refused with 412 if the object changed since.",
    "schema": {"type": "string"},
    "example": '"3"',
}

SUCCESS = {
    "200": "The {what}.",
    "201": "Created: the {what} (its URL in `Location`).",
    "202": "Accepted: the {what}, to be carried out in the background.",
    "204": "Done; no body.",
}


def operation_id(name: str) -> str:
    """`create_unit` → `createUnit`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def honoured(endpoint: Any) -> frozenset[str]:
    """The conventions a route's code applies, read from the code itself (the names its function and the
    functions inside it call), so that the document declares a header exactly where it is honoured:
    `Idempotency-Key` where the route goes through `idempotent`, `If-Match` where it reads
    `expected_version`."""
    found: set[str] = set()
    pending = [inspect.unwrap(endpoint).__code__]
    while pending:
        code = pending.pop()
        found.update(code.co_names)
        found.update(code.co_freevars)
        pending.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return frozenset(found & {"idempotent", "expected_version"})


def finish(document: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    api_routes = [route for route in routes if isinstance(route, APIRoute)]
    names = {(route.path_format, method.lower()): route.name for route in api_routes for method in route.methods or ()}
    conventions = {
        (route.path_format, method.lower()): honoured(route.endpoint)
        for route in api_routes
        for method in route.methods or ()
    }
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["headers"] = {**RATE_LIMIT_HEADERS, "ETag": ETAG, "Location": LOCATION, "Retry-After": RETRY_AFTER}
    components["parameters"] = {"IdempotencyKey": IDEMPOTENCY_KEY, "IfMatch": IF_MATCH}
    components["responses"] = {_problem_name(code): _problem_response(code) for code in PROBLEM_STATUSES}
    document["tags"] = TAGS
    document["servers"] = [{"url": "/", "description": "This Liaison"}]
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            name = names.get((path, method))
            if name:
                operation["operationId"] = operation_id(name)
            _finish_operation(path, method, operation, schemas, conventions.get((path, method), frozenset()))
    for event_type, methods in document.get("webhooks", {}).items():
        for operation in methods.values():
            operation["operationId"] = "on" + "".join(p.capitalize() for p in re.split(r"[._]", event_type))
            _finish_webhook(event_type, operation, schemas)
    _name_form_bodies(document, schemas)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return document


def _finish_operation(
    path: str, method: str, operation: dict[str, Any], schemas: dict[str, Any], conventions: frozenset[str]
) -> None:
    authenticated = "security" in operation
    for parameter in operation.get("parameters", []):
        description, example = PARAMETERS.get(parameter["name"], (None, None))
        if description and not parameter.get("description"):
            parameter["description"] = description
        if "example" not in parameter and "examples" not in parameter:
            parameter["example"] = example if example is not None else example_of(parameter.get("schema", {}), schemas)
    body = operation.get("requestBody")
    if body:
        body.setdefault("description", "The " + _what(body, schemas) + ".")
        for media in body.get("content", {}).values():
            media.setdefault("example", example_of(media.get("schema", {}), schemas))
    creates = "idempotent" in conventions
    changes = "expected_version" in conventions
    if creates:
        operation.setdefault("parameters", []).append(_ref("parameters", "IdempotencyKey"))
    if changes:
        operation.setdefault("parameters", []).append(_ref("parameters", "IfMatch"))
    for status, response in operation["responses"].items():
        code = int(status) if status.isdigit() else 0
        headers = response.setdefault("headers", {})
        if authenticated:
            headers.update({name: _ref("headers", name) for name in RATE_LIMIT_HEADERS})
        if code >= 400:
            if authenticated and code in PROBLEM_STATUSES:
                operation["responses"][status] = _ref("responses", _problem_name(code))
                continue
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": problem_example(code)}}
            if code == 429:
                headers["Retry-After"] = _ref("headers", "Retry-After")
            if not headers:
                response.pop("headers")
            continue
        content = response.get("content", {})
        json_media = content.get("application/json")
        if json_media is not None:
            json_media.setdefault("example", example_of(json_media.get("schema", {}), schemas))
            if response.get("description") in (None, "", "Successful Response"):
                response["description"] = SUCCESS.get(status, "The answer.").format(what=_what(json_media, schemas))
            # An answer that is one versioned object carries its version as the ETag (entity_response).
            answered = _resolve(json_media.get("schema", {}), schemas)
            if "version" in answered.get("properties", {}):
                headers["ETag"] = _ref("headers", "ETag")
        elif response.get("description") in (None, "", "Successful Response"):
            response["description"] = SUCCESS.get(status, "The answer.").format(what="answer")
        if code == 201:
            headers["Location"] = _ref("headers", "Location")
        if not headers:
            response.pop("headers")


PROBLEM_STATUSES = (400, 401, 403, 404, 409, 412, 413, 422, 429)


def _problem_name(code: int) -> str:
    return "".join(w.capitalize() for w in HTTPStatus(code).phrase.replace("-", " ").split())


def _problem_response(code: int) -> dict[str, Any]:
    """A problem answer of an authenticated route: the `Problem` schema, an example, the rate-limit headers."""
    headers: dict[str, Any] = {name: _ref("headers", name) for name in RATE_LIMIT_HEADERS}
    if code == 429:
        headers["Retry-After"] = _ref("headers", "Retry-After")
    return {
        "description": PROBLEM_DESCRIPTIONS[code],
        "headers": headers,
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": problem_example(code)}},
    }


PROBLEM_DESCRIPTIONS = {
    400: "Malformed request: the body is not JSON, or a header is not what it should be.",
    401: "No token, or a token that is not valid (expired, wrong signature, revoked).",
    403: "The token lacks the scope this operation needs.",
    404: "No such object in your organization.",
    409: "The change conflicts with the current state (a cycle, a duplicate, a state that does not allow it).",
    412: "`If-Match` names a version that is no longer current.",
    413: "The body is larger than allowed.",
    422: "Fields are not valid; `errors` names each one (a JSON pointer, a message and a code).",
    429: "Too many requests from this client; `Retry-After` says when to try again.",
}


def _name_form_bodies(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    """FastAPI names a form body's schema after the route (`Body_token_v1_oauth_token_post`); a generated
    SDK would carry that name. It becomes the operation's name + `Request` (`TokenRequest`)."""
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                old = ref.rsplit("/", 1)[-1]
                if old.startswith("Body_") and old in schemas:
                    new = operation["operationId"][:1].upper() + operation["operationId"][1:] + "Request"
                    schemas[new] = {**schemas.pop(old), "title": new}
                    media["schema"] = {"$ref": f"#/components/schemas/{new}"}


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _finish_webhook(event_type: str, operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    body = operation.get("requestBody", {})
    body.setdefault("description", f"The `{event_type}` event, signed with the endpoint's secret.")
    kind = CATALOGUE[event_type].resource if event_type in CATALOGUE else event_type.split(".")[0]
    # the schema of the event's object: named after its kind (RaciEntry), or its last word (Comment)
    names = (kind.replace("_", ""), kind.split("_")[-1], event_type.split(".")[0].replace("_", ""))
    resource = next((s for n in names for s in schemas if s.lower() == n), None)
    for media in body.get("content", {}).values():
        example = example_of(media.get("schema", {}), schemas)
        if isinstance(example, dict):
            example["type"] = event_type
            obj = example_of(schemas[resource], schemas, owner=resource) if resource else {"id": "obj_01J9Z3"}
            changed = {"name": "Sales and Marketing"} if event_type.endswith(".updated") else {}
            example["data"] = {"object": obj, "previous_attributes": changed}
        media["example"] = example
    operation["responses"].pop("422", None)  # a receiver acknowledges or not; it validates nothing of ours
    for response in operation.get("responses", {}).values():
        if response.get("description") in (None, "", "Successful Response"):
            response["description"] = "Acknowledged; any other answer is retried."


def _what(media: dict[str, Any], schemas: dict[str, Any]) -> str:
    schema: dict[str, Any] = media.get("schema", {})
    if "content" in media:  # a request body
        first: dict[str, Any] = next(iter(media["content"].values()), {})
        schema = first.get("schema", {})
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    if name.startswith("ListOf_"):
        return "page of " + words(name.removeprefix("ListOf_").rstrip("_")) + " objects"
    return words(name) if name else "answer"


def problem_example(status: int) -> dict[str, Any]:
    """What the server sends, made by the function that sends it."""
    if status == 422:
        errors = [{"field": "/name", "in": "body", "message": "must not be empty", "code": "invalid"}]
        return problem_body(422, "The request's fields are not valid.", errors=errors)
    detail = {
        401: "No bearer token was sent.",
        403: "This token lacks the scope `org:write`.",
        404: "No such object in your organization.",
        409: "A unit cannot be its own ancestor.",
        412: "The object changed since the ETag you sent.",
        429: "Too many requests for this client; slow down.",
    }.get(status, HTTPStatus(status).phrase + ".")
    return problem_body(status, detail)
