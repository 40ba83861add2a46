"""Tenancy by construction. Every table of an organization's data derives from `TenantScoped`; a unit of
work is made for one organization, and every statement it runs on one of those tables must carry the
organization criterion (`org_criterion`, bound by the unit of work to its own organization) or it is
refused before it reaches the database (app/repo/sql.py). Rows are written with that same bound
organization, so a unit of work cannot write another organization's rows either."""

from __future__ import annotations

from functools import cache
from typing import Any

from app.repo.sql import CrossTenantWrite, register_tenant_tables
from app.repo.tables import TenantScoped

PLATFORM = ""  # the tenant of platform tokens: sees no organization's rows, may create organizations

__all__ = ["PLATFORM", "CrossTenantWrite", "tenant_tables"]


@cache
def tenant_tables() -> tuple[type[Any], ...]:
    """Every mapped class that holds one organization's data."""
    found: list[type[Any]] = []
    pending: list[type[Any]] = [TenantScoped]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if hasattr(cls, "__table__"):
            found.append(cls)
    return tuple(found)


register_tenant_tables(cls.__table__.name for cls in tenant_tables())
