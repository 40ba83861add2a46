"""The per-request GraphQL context: the verified caller, one read transaction shared by the query's
resolvers (behind a lock: a session serves one coroutine at a time), and a write transaction per
mutation, committed before the mutation answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar

from fastapi import Request
from graphql import GraphQLError
from strawberry.fastapi import BaseContext

from app.auth.http import bearer_principal
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import MissingCredentials
from app.domain.principal import Principal
from app.graphql.cost import CODE, maximum_for
from app.graphql.loaders import HandoffLoaders, ObjectiveLoaders, OrgLoaders, RoleLoaders
from app.repo.uow import Database, SqlUnitOfWork

T = TypeVar("T")


class Context(BaseContext):
    def __init__(self, principal: Principal | None, db: Database, budget: int | None = None) -> None:
        super().__init__()
        self._principal = principal
        self.db = db
        self._reader: SqlUnitOfWork | None = None
        self._lock = asyncio.Lock()
        self._loaders: dict[datetime | None, OrgLoaders] = {}
        self._objective_loaders: dict[datetime | None, ObjectiveLoaders] = {}
        self._handoff_loaders: HandoffLoaders | None = None
        self._role_loaders: dict[datetime | None, RoleLoaders] = {}
        self.budget = budget  # the cost maximum, held at run time too (spend)
        self.spent = 0

    def counted(self, items: list[T]) -> list[T]:
        """A plain list, counted against the query's maximum as it is resolved (`spend`)."""
        self.spend(len(items))
        return items

    def spend(self, items: int) -> None:
        """The objects a plain list resolved. The cost computed before the query ran counts a list by its
        typical size; this counts what it holds, and stops the query once the objects it resolved pass the
        same maximum (a `reports` of 10,000 people under a manager of 10,000 reports)."""
        self.spent += items
        if self.budget is not None and self.spent > self.budget:
            raise GraphQLError(
                f"The lists this query resolved hold more than {self.budget} objects, the maximum cost: ask for"
                " fewer nested lists, or page through the connections.",
                extensions={"code": CODE, "maximum": self.budget},
            )

    def loaders(self, as_of: datetime | None) -> OrgLoaders:
        """One set of DataLoaders per instant asked about (None: the present)."""
        if as_of not in self._loaders:
            self._loaders[as_of] = OrgLoaders(self, as_of)
        return self._loaders[as_of]

    def objective_loaders(self, as_of: datetime | None) -> ObjectiveLoaders:
        if as_of not in self._objective_loaders:
            self._objective_loaders[as_of] = ObjectiveLoaders(self, as_of)
        return self._objective_loaders[as_of]

    def handoff_loaders(self) -> HandoffLoaders:
        if self._handoff_loaders is None:
            self._handoff_loaders = HandoffLoaders(self)
        return self._handoff_loaders

    def role_loaders(self, as_of: datetime | None) -> RoleLoaders:
        if as_of not in self._role_loaders:
            self._role_loaders[as_of] = RoleLoaders(self, as_of)
        return self._role_loaders[as_of]

    def now(self) -> datetime:
        return SYSTEM_CLOCK.now()

    @property
    def principal(self) -> Principal:
        if self._principal is None:
            raise MissingCredentials("No bearer token was sent.")
        return self._principal

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self._lock:
            if self._reader is None:
                self._reader = await self.db.unit_of_work(self.principal.organization_id, write=False).__aenter__()
            yield self._reader

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self._lock, self.db.unit_of_work(self.principal.organization_id, write=True) as uow:
            yield uow
            await uow.commit()
        self._loaders.clear()  # what the loaders cached may have just changed
        self._objective_loaders.clear()
        self._handoff_loaders = None
        self._role_loaders.clear()

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.__aexit__(None, None, None)
            self._reader = None


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


async def get_context(request: Request) -> Context:
    """Same 401 as REST: a query without a valid bearer token is refused before it runs.
    The GraphiQL page itself (a browser's GET) needs no token; its queries do. The read transaction a
    query opens is closed when its operation ends (app.graphql.pipeline)."""
    principal = (
        None if _wants_ide(request) and not request.headers.get("authorization") else await bearer_principal(request)
    )
    return Context(principal, request.app.state.db, maximum_for(request))
