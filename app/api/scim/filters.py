"""SCIM filters (RFC 7644 §3.4.2.2), parsed and checked against our models by scim2-models, turned into
the domain's search criteria (app/domain/provisioning/criteria.py), which the repositories run as SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scim2_models import ScimFilter
from scim2_models.path import (
    AttrPath,
    Comparison,
    FilterNode,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from app.api.scim.models import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, Group, User
from app.domain.provisioning import criteria as c
from app.domain.text import one_line

# (schema, attribute, sub-attribute) as lower-case names → (the domain's attribute, compared as written)
_META: dict[tuple[str, str | None], tuple[str, bool]] = {
    ("meta", "created"): ("created_at", True),
    ("meta", "lastmodified"): ("updated_at", True),
}
USER_ATTRIBUTES: dict[tuple[str, str | None], tuple[str, bool]] = {
    ("id", None): ("id", True),
    ("username", None): ("user_name", False),
    ("externalid", None): ("external_id", True),
    ("name", "givenname"): ("given_name", False),
    ("name", "familyname"): ("family_name", False),
    ("title", None): ("title", False),
    ("active", None): ("active", True),
    ("emails", None): ("email", False),
    ("emails", "value"): ("email", False),
    ("department", None): ("department", False),
    ("manager", None): ("manager_id", True),
    ("manager", "value"): ("manager_id", True),
    **_META,
}
GROUP_ATTRIBUTES: dict[tuple[str, str | None], tuple[str, bool]] = {
    ("id", None): ("id", True),
    ("displayname", None): ("name", False),
    ("externalid", None): ("external_id", True),
    ("members", None): ("member_id", True),
    ("members", "value"): ("member_id", True),
    **_META,
}
_ENTERPRISE_ONLY = {"department", "manager"}


MAX_TERMS = 50  # comparisons in one filter: an identity provider's search needs a few
MAX_VALUE = 1000  # characters of a compared value


class UnsupportedFilter(ValueError):
    """A filter Liaison cannot answer (an attribute it does not keep): SCIM's invalidFilter."""


class _Translate(FilterVisitor[c.Criterion]):
    def __init__(self, attributes: dict[tuple[str, str | None], tuple[str, bool]], core: str) -> None:
        self.attributes = attributes
        self.core = core.lower()
        self.prefix: str | None = None  # inside `emails[…]`: the attribute selected into
        self.terms = 0

    def _name(self, path: AttrPath) -> tuple[str, bool]:
        uri = (path.uri or "").lower()
        attr, sub = path.attr.lower(), path.sub_attr.lower() if path.sub_attr else None
        if self.prefix is not None:
            attr, sub = self.prefix, attr
        enterprise = attr in _ENTERPRISE_ONLY and self.core == USER_SCHEMA.lower()
        if uri and uri != (ENTERPRISE_SCHEMA.lower() if enterprise else self.core):
            raise UnsupportedFilter(f"Liaison does not keep {path}.")
        found = self.attributes.get((attr, sub))
        if found is None:
            raise UnsupportedFilter(f"Liaison cannot filter on {path} (it does not keep it).")
        return found

    def visit_comparison(self, node: Comparison) -> c.Criterion:
        name, case_exact = self._name(node.attr_path)
        value: Any = node.value
        if name in ("created_at", "updated_at"):
            try:
                value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                if value.tzinfo is None:
                    raise UnsupportedFilter(f"{node.attr_path} compares with a dateTime that has its offset.")
                value = value.astimezone(UTC)
            except (ValueError, OverflowError) as exc:  # not a dateTime, or one that is no instant in UTC
                raise UnsupportedFilter(f"{node.attr_path} compares with a dateTime, not {value!r}.") from exc
        elif name == "active":
            if not isinstance(value, bool) or node.op.value not in ("eq", "ne"):
                raise UnsupportedFilter("active compares with eq or ne and true or false.")
        elif not isinstance(value, str):
            raise UnsupportedFilter(f"{node.attr_path} compares with a string, not {value!r}.")
        elif not one_line(value) or len(value) > MAX_VALUE:
            raise UnsupportedFilter(f"{node.attr_path} compares with a value no attribute can hold.")
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise UnsupportedFilter(f"The filter compares more than {MAX_TERMS} times; split the search.")
        return c.Compare(name, node.op.value, value, case_exact)

    def visit_present(self, node: Present) -> c.Criterion:
        self.terms += 1
        return c.Present(self._name(node.attr_path)[0])

    def visit_not(self, node: Not) -> c.Criterion:
        return c.Negation(self.visit(node.expr))

    def visit_logical_expr(self, node: LogicalExpr) -> c.Criterion:
        terms = tuple(self.visit(t) for t in node.terms)
        return c.AllOf(terms) if node.op == LogicalOperator.and_ else c.AnyOf(terms)

    def visit_value_path(self, node: ValuePath) -> c.Criterion:
        if self.prefix is not None or node.attr_path.sub_attr:
            raise UnsupportedFilter("A value selection cannot nest.")
        self._name(AttrPath(attr=node.attr_path.attr, uri=node.attr_path.uri))  # the attribute is one we keep
        self.prefix = node.attr_path.attr.lower()
        try:
            return self.visit(node.val_filter)
        finally:
            self.prefix = None


def user_criterion(text: str) -> c.Criterion:
    """InvalidFilterException (bad syntax or value) or UnsupportedFilter (an attribute Liaison lacks)."""
    return _Translate(USER_ATTRIBUTES, USER_SCHEMA).visit(_parsed(ScimFilter[User](text)))


def group_criterion(text: str) -> c.Criterion:
    return _Translate(GROUP_ATTRIBUTES, GROUP_SCHEMA).visit(_parsed(ScimFilter[Group](text)))


def _parsed(found: ScimFilter[Any]) -> FilterNode:
    return found.ast
