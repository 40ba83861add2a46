"""Root fields of the org chart: unit, units, orgChart, person, people, membership."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

import strawberry

from app.domain.cursor import decode_cursor, encode_cursor
from app.domain.errors import Invalid, NotFound
from app.domain.model import ListQuery, Page
from app.domain.org_chart.service import OrgChart
from app.graphql.types.org_chart import Connection, Edge, Membership, PageInfo, Person, Unit, membership, person, unit

AS_OF = "Answer as the org chart stood at this instant."


def _query(first: int, after: str | None, **filters: Any) -> ListQuery:
    if not 1 <= first <= 200:
        raise Invalid("`first` is between 1 and 200.")
    return replace(
        ListQuery(limit=first, after=decode_cursor(after, "/after") if after else None),
        filters={k: v for k, v in filters.items() if v is not None},
    )


def _connection(page: Page[Any], render: Any) -> Any:
    edges = [Edge(node=render(x), cursor=encode_cursor(x.id)) for x in page.items]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.next_after is not None, end_cursor=edges[-1].cursor if edges else None),
    )


@strawberry.type
class OrgChartQuery:
    @strawberry.field(description="A unit by id (null when it does not exist in your organization).")
    async def unit(self, info: strawberry.Info, id: strawberry.ID, as_of: datetime | None = None) -> Unit | None:
        try:
            async with info.context.read() as uow:
                return unit(await OrgChart(uow, info.context.principal).get_unit(str(id), as_of), as_of)
        except NotFound:
            return None

    @strawberry.field(description="Units, oldest first.")
    async def units(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        parent_id: strawberry.ID | None = None,
        as_of: datetime | None = None,
        link_url: Annotated[
            str | None,
            strawberry.argument(
                description="Only units that carry a link to this URL (a document, ticket or channel)."
            ),
        ] = None,
    ) -> Connection[Unit]:
        async with info.context.read() as uow:
            page = await OrgChart(uow, info.context.principal).list_units(
                _query(first, after, parent_id=parent_id, link_url=link_url), as_of
            )
        return _connection(page, lambda u: unit(u, as_of))

    @strawberry.field(description="The roots of the org chart (or the unit `rootId`); walk down with `children`.")
    async def org_chart(
        self, info: strawberry.Info, root_id: strawberry.ID | None = None, as_of: datetime | None = None
    ) -> list[Unit]:
        async with info.context.read() as uow:
            chart = OrgChart(uow, info.context.principal)
            if root_id is not None:
                return [unit(await chart.get_unit(str(root_id), as_of), as_of)]
            roots = await chart.roots(as_of)
        info.context.spend(len(roots))
        return [unit(u, as_of) for u in roots]

    @strawberry.field(description="A person by id (null when not in your organization).")
    async def person(self, info: strawberry.Info, id: strawberry.ID, as_of: datetime | None = None) -> Person | None:
        try:
            async with info.context.read() as uow:
                return person(await OrgChart(uow, info.context.principal).get_person(str(id), as_of), as_of)
        except NotFound:
            return None

    @strawberry.field(description="People, oldest first.")
    async def people(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        manager_id: strawberry.ID | None = None,
        status: str | None = None,
        as_of: datetime | None = None,
    ) -> Connection[Person]:
        async with info.context.read() as uow:
            page = await OrgChart(uow, info.context.principal).list_people(
                _query(first, after, manager_id=manager_id, status=status), as_of
            )
        return _connection(page, lambda p: person(p, as_of))

    @strawberry.field(description="A membership by id.")
    async def membership(
        self, info: strawberry.Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Membership | None:
        try:
            async with info.context.read() as uow:
                return membership(await OrgChart(uow, info.context.principal).get_membership(str(id), as_of), as_of)
        except NotFound:
            return None
