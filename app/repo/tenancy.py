"""Tenancy by construction: a session is opened for one organization, and every ORM statement it runs
on a tenant table (SELECT, UPDATE, DELETE) gets `organization_id = <that organization>` added by this
hook, whatever the repository wrote. New rows are stamped with the organization; a row of another
organization cannot be flushed. Forgetting the filter is not possible because nobody writes it."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from app.repo.tables import TenantScoped

TENANT_KEY = "organization_id"
PLATFORM = ""  # the tenant of platform tokens: sees no organization's rows, may create organizations


class CrossTenantWrite(RuntimeError):
    pass


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


def bind_tenant(session: Session, organization_id: str) -> None:
    session.info[TENANT_KEY] = organization_id


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if TENANT_KEY not in state.session.info:
        return  # a system session (migrations, the delivery worker): unscoped on purpose
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant = state.session.info[TENANT_KEY]
    state.statement = state.statement.options(
        *(
            with_loader_criteria(table, table.organization_id == tenant, include_aliases=True)
            for table in tenant_tables()
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _ctx: Any, _instances: Any) -> None:
    tenant = session.info.get(TENANT_KEY)
    if not tenant:
        return
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, TenantScoped):
            if obj.organization_id is None:
                obj.organization_id = tenant
            elif obj.organization_id != tenant:
                raise CrossTenantWrite(f"a session of {tenant} tried to write a row of {obj.organization_id}")
