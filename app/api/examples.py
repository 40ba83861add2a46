"""Examples made from JSON Schemas, for the OpenAPI document: the schema's own example where it has one,
else one made from its type, format and enum, with a lexicon of the property names the API uses; so
that every resource, present and future, has examples without writing them twice."""

from __future__ import annotations

import re
from typing import Any


def words(name: str) -> str:
    """`UnitAtDepth` → `unit at depth`."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


WORDS: dict[str, Any] = {
    "name": "Sales",
    "slug": "acme",
    "title": "Head of Sales",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "email": "ada@example.com",
    "url": "https://hooks.example.com/liaison",
    "description": "Revenue and new customers.",
    "secret": "whsec_MfKQ9r8GKYqrTTZHQ4Zx5dcrzN9Rr3yZ",
    "client_secret": "cs_3kTMd9aL0pQ4xW7vB2nR8sY6",
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "next_cursor": "eyJhZnRlciI6InVuaXRfMDFKOVozUTRLNlc4WDJZNVY3VDlSMU0zTjUifQ",
    "version": 3,
    "role": "member",
    "reason": "Moved to another team.",
}
PREFIXES = {
    "organization": "org",
    "client": "client",
    "event": "evt",
    "unit": "unit",
    "person": "person",
    "manager": "person",
    "membership": "mbr",
    "endpoint": "whe",
    "delivery": "dlv",
    "parent": "unit",
    "root": "unit",
    "lead": "person",
    "member": "person",
    "node": "unit",
    "attempt": "att",
    "payload": "evt",
    "objective": "obj",
    "result": "kr",  # key_result
    "in": "chk",  # check_in
    "contributor": "unit",
    "handoff": "ho",
    "policy": "hop",
    "comment": "hoc",
    "role": "role",
    "assignment": "rola",
    "raci": "raci",
    "entry": "raci",
    "subject": "obj",
    "party": "role",
    "feedback": "fb",
    "request": "fbr",
    "survey": "srv",
    "recipient": "person",
    "requester": "person",
    "respondent": "person",
    "author": "person",
    "audience": "unit",
    "about": "unit",
}


def example_of(schema: dict[str, Any], schemas: dict[str, Any], name: str = "", depth: int = 0, owner: str = "") -> Any:
    """An example value for a JSON Schema: the schema's own example where it has one, else one made from
    its type, format and enum, with a lexicon of the property names the API uses."""
    if depth > 6:
        return None
    if "$ref" in schema:
        target = schema["$ref"].rsplit("/", 1)[-1]
        return example_of(schemas.get(target, {}), schemas, name, depth + 1, owner=target)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example_of(options[0], schemas, name, depth + 1, owner) if options else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        if not properties:
            extra = schema.get("additionalProperties")
            if name in ("external_refs", "refs"):
                return {"sap": "E1042"}
            return {"key": example_of(extra, schemas, "", depth + 1)} if isinstance(extra, dict) and extra else {}
        return {prop: example_of(sub, schemas, prop, depth + 1, owner) for prop, sub in properties.items()}
    if kind == "array":
        item = example_of(schema.get("items", {}), schemas, name.removesuffix("s"), depth + 1)
        return [] if item is None else [item]
    if kind == "string":
        return _string_example(name, schema, owner)
    if kind == "integer":
        return WORDS.get(name, schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 0.5)
    if kind == "boolean":
        return schema.get("default", False)
    return None


def _string_example(name: str, schema: dict[str, Any], owner: str = "") -> str:
    fmt = schema.get("format")
    if fmt == "date-time" or name.endswith("_at") or name in ("as_of", "updated_since", "timestamp"):
        return "2026-03-02T09:30:00Z"
    if fmt == "date" or name.endswith("_on"):
        return "2026-03-02"
    if fmt in ("uri", "url") or name.endswith("url"):
        return "https://hooks.example.com/liaison"
    if fmt == "email" or name == "email":
        return "ada@example.com"
    if name in WORDS:
        return str(WORDS[name])
    if name == "id" or name.endswith("_id"):
        parts = words(owner).split() if name == "id" else name.removesuffix("_id").split("_")
        prefix = next((PREFIXES[w] for w in reversed(parts) if w in PREFIXES), "obj")
        return f"{prefix}_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"
    if name in ("type", "event_type"):
        return "unit.created"
    if name.endswith("scope") or name == "scopes":
        return "org:read"
    return schema.get("default") or name.replace("_", " ") or "text"
