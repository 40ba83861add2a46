"""People as SCIM Users and units as Groups, both ways, and identity providers' phrasings of PATCH read as
they mean them."""

from __future__ import annotations

import re
from typing import Any

from scim2_models import Meta

from app.api.scim.models import (
    ENTERPRISE_SCHEMA,
    Email,
    EnterpriseUser,
    Group,
    Manager,
    Member,
    Name,
    User,
)
from app.domain.errors import ErrorList
from app.domain.org_chart.model import Person, Unit
from app.domain.provisioning.service import SYSTEM


def user_of(p: Person, base: str) -> User:
    user = User(
        id=p.id,
        external_id=p.external_refs.get(SYSTEM),
        user_name=p.sign_in_name,
        name=Name(given_name=p.given_name, family_name=p.family_name),
        title=p.title,
        active=p.status == "active",
        emails=[Email(value=p.email)] if p.email else None,
        meta=_meta("User", p, base),
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


def patch_as_meant(body: dict[str, Any]) -> dict[str, Any]:
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


def user_payload(body: dict[str, Any]) -> dict[str, Any]:
    """Liaison keeps people active or not: a User sent without `active` is active."""
    if not any(k.lower() == "active" for k in body):
        body = {**body, "active": True}
    return body


def group_of(u: Unit, members: list[Person], base: str) -> Group:
    return Group(
        id=u.id,
        external_id=u.external_refs.get(SYSTEM),
        display_name=u.name,
        members=[Member(value=m.id, ref=f"{base}/Users/{m.id}", type="User") for m in members] or None,
        meta=_meta("Group", u, base),
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


def _meta(kind: str, entity: Person | Unit, base: str) -> Meta:
    return Meta(
        resource_type=kind,
        created=entity.created_at,
        last_modified=entity.updated_at,
        location=f"{base}/{kind}s/{entity.id}",
        version=f'W/"{entity.version}"',
    )
