"""The OpenAPI document is a product: generators and consoles find in it what they need. This walks the
committed document (the contract-files test proves it is what the server serves)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

DOCUMENT = json.loads((Path(__file__).resolve().parents[1] / "openapi" / "openapi.json").read_text())


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = DOCUMENT["components"][kind][name]
    return node


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    found = [(f"{m.upper()} {p}", m, op) for p, methods in DOCUMENT["paths"].items() for m, op in methods.items()]
    found += [
        (f"webhook {e}", m, op) for e, methods in DOCUMENT.get("webhooks", {}).items() for m, op in methods.items()
    ]
    return found


def _has_example(media: dict[str, Any]) -> bool:
    return "example" in media or bool(media.get("examples"))


def test_every_operation_parameter_body_and_success_response_is_described_with_an_example() -> None:
    missing: list[str] = []
    for where, _method, op in _operations():
        if not op.get("description"):
            missing.append(f"{where}: no description")
        for parameter in map(_resolve, op.get("parameters", [])):
            if not parameter.get("description"):
                missing.append(f"{where}: parameter {parameter['name']} has no description")
            if not ("example" in parameter or parameter.get("examples")):
                missing.append(f"{where}: parameter {parameter['name']} has no example")
        body = op.get("requestBody")
        if body:
            if not body.get("description"):
                missing.append(f"{where}: request body has no description")
            for media_type, media in body["content"].items():
                if not _has_example(media):
                    missing.append(f"{where}: request body {media_type} has no example")
        for status, response in op["responses"].items():
            response = _resolve(response)
            if not status.startswith("2"):
                continue
            if not response.get("description") or response["description"] == "Successful Response":
                missing.append(f"{where}: {status} has no description of its own")
            for media_type, media in response.get("content", {}).items():
                if not _has_example(media):
                    missing.append(f"{where}: {status} {media_type} has no example")
    assert missing == [], "\n".join(missing)


def test_every_error_response_is_a_problem_document() -> None:
    wrong: list[str] = []
    count = 0
    for where, _method, op in _operations():
        for status, response in op["responses"].items():
            if status[0] not in "45":
                continue
            count += 1
            content = _resolve(response).get("content", {})
            media = content.get("application/problem+json", {})
            if list(content) != ["application/problem+json"] or media.get("schema") != {
                "$ref": "#/components/schemas/Problem"
            }:
                wrong.append(f"{where} {status}: {sorted(content)}")
            elif not _has_example(media) or (_has_example(media) and media["example"]["status"] != int(status)):
                wrong.append(f"{where} {status}: no example, or one with another status")
    assert count > 300
    assert wrong == [], "\n".join(wrong)


def test_operation_ids_are_names_an_sdk_can_use() -> None:
    ids = [op["operationId"] for _where, _m, op in _operations()]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    bad = [i for i in ids if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", i)]
    assert bad == []
    assert {"createUnit", "listPeople", "getPerson", "updateUnit", "syncOrgChart"} <= set(ids)


def test_the_conventions_headers_are_declared() -> None:
    paths = DOCUMENT["paths"]
    create = paths["/v1/units"]["post"]
    assert {"$ref": "#/components/parameters/IdempotencyKey"} in create["parameters"]
    assert {"Location", "ETag", "RateLimit-Limit", "RateLimit-Remaining"} <= set(create["responses"]["201"]["headers"])
    assert {"$ref": "#/components/parameters/IfMatch"} in paths["/v1/people/{person_id}"]["patch"]["parameters"]
    assert {"$ref": "#/components/parameters/IfMatch"} in paths["/v1/units/{unit_id}"]["delete"]["parameters"]
    assert "ETag" in paths["/v1/people/{person_id}"]["get"]["responses"]["200"]["headers"]
    too_many = _resolve(paths["/v1/people"]["get"]["responses"]["429"])
    assert "Retry-After" in too_many["headers"]


def test_tags_scopes_and_servers_say_what_they_are() -> None:
    used = {tag for _w, _m, op in _operations() for tag in op.get("tags", [])}
    declared = {t["name"]: t.get("description") for t in DOCUMENT["tags"]}
    assert used <= set(declared) and all(declared.values())
    scopes = DOCUMENT["components"]["securitySchemes"]["OAuth2ClientCredentials"]["flows"]["clientCredentials"][
        "scopes"
    ]
    assert all(scope not in text and "scope" not in text.lower() for scope, text in scopes.items()), scopes
    assert DOCUMENT["servers"]


def test_idempotency_key_and_if_match_are_declared_exactly_where_they_are_honoured() -> None:
    """Found by fuzzing: actions that honour `Idempotency-Key` (sync, deactivate, rotate-secret, …) did not
    declare it, so no client or fuzzer could know. The document now reads it from each route's code."""
    from fastapi.routing import APIRoute

    from app.api.openapi import honoured
    from app.main import create_app

    key, match = {"$ref": "#/components/parameters/IdempotencyKey"}, {"$ref": "#/components/parameters/IfMatch"}
    app = create_app()
    checked = 0
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = DOCUMENT["paths"][route.path_format][method.lower()]
            code = honoured(route.endpoint)
            assert (key in operation.get("parameters", [])) == ("idempotent" in code), (method, route.path_format)
            assert (match in operation.get("parameters", [])) == ("expected_version" in code), (method, route.path)
            checked += 1
    assert checked >= 40
    for action in (
        "/v1/sync/org-chart",
        "/v1/people/{person_id}/deactivate",
        "/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
    ):
        assert key in DOCUMENT["paths"][action]["post"]["parameters"], action
    assert match in DOCUMENT["paths"]["/v1/memberships/{membership_id}/end"]["post"]["parameters"]
    assert key not in DOCUMENT["paths"]["/v1/oauth/token"]["post"].get("parameters", [])
