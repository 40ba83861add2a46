"""Searches of people and units (app/domain/provisioning/criteria.py) as one SQL statement each, on both
engines: every comparison is made definite (a missing value compares false, never unknown), so that `not`
means what it says; text compares whatever its case unless the criterion says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, false, func, literal, not_, or_, select, true

from app.domain.errors import FieldError, Invalid
from app.domain.provisioning.criteria import AllOf, AnyOf, Compare, Criterion, Negation, Present
from app.repo.repositories import table
from app.repo.sql import org_criterion
from app.repo.tables import ExternalRefRow, MembershipRow

SCIM_SYSTEM = "scim"  # the system of external refs under which an identity provider's externalId is kept

_REFS = table(ExternalRefRow)
_MEMBERSHIPS = table(MembershipRow)


def sign_in_name_is(t: Any, key: Any) -> Any:
    """A person's sign-in name (their user name, else their email) is `key` (lower-cased): by its index."""
    return t.c.sign_in_key == key


def _text_compare(column: Any, op: str, value: Any, case_exact: bool) -> Any:
    if not isinstance(value, str):
        raise _invalid(f"compares text with {value!r}")
    if not case_exact:
        column, value = func.lower(column), value.lower()
    present = column.is_not(None)
    match op:
        case "co":
            return and_(present, column.contains(value, autoescape=True))
        case "sw":
            return and_(present, column.startswith(value, autoescape=True))
        case "ew":
            return and_(present, column.endswith(value, autoescape=True))
    return _ordered(column, op, value)


def _ordered(column: Any, op: str, value: Any) -> Any:
    """eq, ne and the orderings, each definite: a missing value compares false (and `ne` true)."""
    present = column.is_not(None)
    match op:
        case "gt":
            return and_(present, column > value)
        case "ge":
            return and_(present, column >= value)
        case "lt":
            return and_(present, column < value)
        case "le":
            return and_(present, column <= value)
        case "eq":
            return and_(present, column == value)
        case "ne":
            return or_(column.is_(None), column != value)
    raise _invalid(f"`{op}` does not apply to this attribute")


def _invalid(message: str) -> Invalid:
    return Invalid(f"The filter {message}.", [FieldError("/filter", message)])


def _external_id(t: Any, collection: str) -> Callable[[Callable[[Any], Any]], Any]:
    """EXISTS an external ref of the identity provider's system whose id satisfies the test."""

    def where(test: Callable[[Any], Any]) -> Any:
        return exists(
            select(literal(1)).where(
                org_criterion(_REFS),
                _REFS.c.collection == collection,
                _REFS.c.system == SCIM_SYSTEM,
                _REFS.c.object_id == t.c.id,
                test(_REFS.c.external_id),
            )
        )

    return where


def _compile(t: Any, criterion: Criterion, leaf: Callable[[Any], Any]) -> Any:
    if isinstance(criterion, AllOf):
        return and_(true(), *(_compile(t, c, leaf) for c in criterion.terms))
    if isinstance(criterion, AnyOf):
        return or_(false(), *(_compile(t, c, leaf) for c in criterion.terms))
    if isinstance(criterion, Negation):
        return not_(_compile(t, criterion.term, leaf))
    return leaf(criterion)


def person_condition(t: Any, criterion: Criterion) -> Any:
    columns = {
        "id": t.c.id,
        "given_name": t.c.given_name,
        "family_name": t.c.family_name,
        "title": t.c.title,
        "department": t.c.department,
        "manager_id": t.c.manager_id,
        "created_at": t.c.created_at,
        "updated_at": t.c.updated_at,
    }
    external = _external_id(t, "people")

    def leaf(c: Compare | Present) -> Any:
        name = c.attribute
        if isinstance(c, Present):
            if name in ("user_name", "active", "id", "created_at", "updated_at"):
                return true()
            if name == "external_id":
                return external(lambda column: column != "")
            column = t.c.email if name == "email" else columns[name]
            return and_(column.is_not(None), column != "") if name not in ("created_at", "updated_at") else true()
        if name == "active":
            if c.op not in ("eq", "ne") or not isinstance(c.value, bool):
                raise _invalid("compares `active` only with eq or ne and true or false")
            return (t.c.status == "active") == (c.value == (c.op == "eq"))
        if name == "user_name" and c.op == "eq" and isinstance(c.value, str):
            return sign_in_name_is(t, c.value.strip().lower())
        if name == "user_name":
            return _text_compare(t.c.sign_in_key, c.op, c.value, False)
        if name == "email":
            if c.op == "eq" and isinstance(c.value, str):
                return t.c.email_key == c.value.strip().lower()
            return _text_compare(t.c.email, c.op, c.value, False)
        if name == "external_id":
            return _external_or_absent(external, c)
        if name in ("created_at", "updated_at"):
            return _ordered(columns[name], c.op, c.value)
        return _text_compare(columns[name], c.op, c.value, c.case_exact)

    return _compile(t, criterion, leaf)


def unit_condition(t: Any, criterion: Criterion, today: date) -> Any:
    external = _external_id(t, "units")

    def members(test: Callable[[Any], Any]) -> Any:
        m = _MEMBERSHIPS
        return exists(
            select(literal(1)).where(
                org_criterion(m),
                m.c.unit_id == t.c.id,
                or_(m.c.starts_on.is_(None), m.c.starts_on <= today),
                or_(m.c.ends_on.is_(None), m.c.ends_on >= today),
                test(m.c.person_id),
            )
        )

    def leaf(c: Compare | Present) -> Any:
        name = c.attribute
        if isinstance(c, Present):
            if name == "external_id":
                return external(lambda column: column != "")
            if name == "member_id":
                return members(lambda column: column.is_not(None))
            return true()
        if name == "external_id":
            return _external_or_absent(external, c)
        if name == "member_id":
            if c.op == "ne":
                return not_(members(lambda column: column == c.value))
            return members(lambda column: _text_compare(column, c.op, c.value, True))
        column = {"id": t.c.id, "name": t.c.name, "created_at": t.c.created_at, "updated_at": t.c.updated_at}[name]
        if name in ("created_at", "updated_at"):
            return _ordered(column, c.op, c.value)
        return _text_compare(column, c.op, c.value, c.case_exact)

    return _compile(t, criterion, leaf)


def _external_or_absent(external: Callable[[Callable[[Any], Any]], Any], c: Compare) -> Any:
    if c.op == "ne":  # true of an object without one as well
        return not_(external(lambda column: _text_compare(column, "eq", c.value, c.case_exact)))
    return external(lambda column: _text_compare(column, c.op, c.value, c.case_exact))
