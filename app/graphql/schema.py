"""The GraphQL schema: composed from types/ and resolved through the same services as REST."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from app.domain.api_clients.service import ApiClients
from app.domain.errors import NotFound
from app.domain.feed import EventFeed
from app.domain.feedback.facade import Feedbacks
from app.domain.handoffs.policies import HandoffPolicies
from app.domain.ids import type_of
from app.domain.objectives.service import Objectives
from app.domain.org_chart.service import OrgChart
from app.domain.organizations.service import Organizations
from app.domain.ports import UnitOfWork
from app.domain.principal import Principal
from app.domain.roles.raci import Roles
from app.domain.webhooks.service import WebhookEndpoints
from app.graphql.cost import CostCache
from app.graphql.mutations.feedback import FeedbackMutation
from app.graphql.mutations.handoffs import HandoffsMutation
from app.graphql.mutations.objectives import ObjectivesMutation
from app.graphql.mutations.org_chart import OrgChartMutation
from app.graphql.mutations.roles import RolesMutation
from app.graphql.pipeline import Pipeline, Preparation
from app.graphql.queries.feedback import FeedbackQuery
from app.graphql.queries.handoffs import HandoffsQuery
from app.graphql.queries.objectives import ObjectivesQuery
from app.graphql.queries.org_chart import OrgChartQuery
from app.graphql.queries.roles import RolesQuery
from app.graphql.scalars import SCALAR_OVERRIDES
from app.graphql.types.derive import Node
from app.graphql.types.feedback import Feedback, FeedbackRequest, Survey, feedback, feedback_request, survey
from app.graphql.types.handoffs import Handoff, HandoffComment, HandoffPolicy, handoff, policy
from app.graphql.types.objectives import CheckIn, KeyResult, Objective, check_in, key_result, objective
from app.graphql.types.org_chart import Membership, Person, Unit, membership, person, unit
from app.graphql.types.platform import (
    ApiClient,
    Event,
    Organization,
    WebhookEndpoint,
    api_client,
    event,
    organization,
    webhook_endpoint,
)
from app.graphql.types.roles import RaciEntry, Role, RoleAssignment, assignment, raci_entry, role
from app.worker.net import SystemResolver


async def _organization(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return organization(await Organizations(uow, p).get(object_id))


async def _api_client(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return api_client(await ApiClients(uow, p).get(object_id))


async def _event(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return event(await EventFeed(uow, p).get(object_id))


async def _unit(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return unit(await OrgChart(uow, p).get_unit(object_id))


async def _person(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return person(await OrgChart(uow, p).get_person(object_id))


async def _membership(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return membership(await OrgChart(uow, p).get_membership(object_id))


async def _objective(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return objective(await Objectives(uow, p).get_objective(object_id))


async def _key_result(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return key_result(await Objectives(uow, p).get_key_result(object_id))


async def _check_in(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return check_in(await Objectives(uow, p).get_check_in(object_id))


async def _handoff(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return handoff(await HandoffPolicies(uow, p).get_handoff(object_id))


async def _handoff_policy(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return policy(await HandoffPolicies(uow, p).get_handoff_policy(object_id))


async def _role(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return role(await Roles(uow, p).get_role(object_id))


async def _role_assignment(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return assignment(await Roles(uow, p).get_role_assignment(object_id))


async def _raci_entry(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return raci_entry(await Roles(uow, p).get_raci_entry(object_id))


async def _feedback(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return feedback(await Feedbacks(uow, p).get_feedback(object_id))


async def _feedback_request(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return feedback_request(await Feedbacks(uow, p).get_feedback_request(object_id))


async def _survey(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    return survey(await Feedbacks(uow, p).get_survey(object_id))


async def _webhook_endpoint(uow: UnitOfWork, p: Principal, object_id: str) -> Any:
    # Reading an endpoint needs no DNS: the resolver is only asked when a URL is set.
    service = WebhookEndpoints(uow, p, SystemResolver(), allow_private=False)
    return webhook_endpoint(await service.get(object_id))


NODES: dict[str, Callable[[UnitOfWork, Principal, str], Awaitable[Any]]] = {
    "webhook_endpoint": _webhook_endpoint,
    "organization": _organization,
    "api_client": _api_client,
    "event": _event,
    "unit": _unit,
    "person": _person,
    "membership": _membership,
    "objective": _objective,
    "key_result": _key_result,
    "check_in": _check_in,
    "handoff": _handoff,
    "handoff_policy": _handoff_policy,
    "role": _role,
    "role_assignment": _role_assignment,
    "raci_entry": _raci_entry,
    "feedback": _feedback,
    "feedback_request": _feedback_request,
    "survey": _survey,
}


@strawberry.type(description="Who is asking: the token's organization, scopes and person.")
class Viewer:
    scopes: list[str]
    person: strawberry.ID | None = strawberry.field(description="The id of the person the token acts as, if any.")
    organization_id: strawberry.Private[str | None]

    @strawberry.field(description="The token's organization (null for platform tokens).")
    async def organization(self, info: strawberry.Info) -> Organization | None:
        if self.organization_id is None:
            return None
        async with info.context.read() as uow:
            return await _organization(uow, info.context.principal, self.organization_id)


@strawberry.type
class Query(OrgChartQuery, RolesQuery, ObjectivesQuery, HandoffsQuery, FeedbackQuery):
    @strawberry.field(description="The caller.")
    def viewer(self, info: strawberry.Info) -> Viewer:
        p: Principal = info.context.principal
        return Viewer(
            scopes=sorted(p.scopes),
            person=strawberry.ID(p.person_id) if p.person_id else None,
            organization_id=p.organization_id,
        )

    @strawberry.field(description="Any object by its id (null when it does not exist in your organization).")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        resolve = NODES.get(type_of(str(id)) or "")
        if resolve is None:
            return None
        try:
            async with info.context.read() as uow:
                result: Node = await resolve(uow, info.context.principal, str(id))
                return result
        except NotFound:
            return None


@strawberry.type
class Mutation(OrgChartMutation, RolesMutation, ObjectivesMutation, HandoffsMutation, FeedbackMutation):  # type: ignore[misc]
    pass


TYPES: list[Any] = [
    Organization,
    ApiClient,
    Event,
    Unit,
    Person,
    Membership,
    Objective,
    KeyResult,
    CheckIn,
    Handoff,
    HandoffPolicy,
    HandoffComment,
    Role,
    RoleAssignment,
    RaciEntry,
    Feedback,
    FeedbackRequest,
    Survey,
    WebhookEndpoint,
]


class LiaisonSchema(strawberry.Schema):
    """strawberry's schema, with what requests share before they run (app.graphql.http uses it)."""

    def __init__(self, preparation: Preparation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.preparation = preparation


def build_schema(max_depth: int = 12, max_aliases: int = 30, max_tokens: int = 2000) -> LiaisonSchema:
    # Factories, so that every request gets fresh extension instances.
    # The depth and alias limits are validation rules, and each limiter makes a new rule class when built:
    # built per request they would make every request's rules, and so ValidationCache's key, new. Their rule
    # classes (stateless, the limit in a closure) are made once here and added to each request's rules.
    limit_rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    cache_size = 256  # distinct query texts kept parsed, and documents kept validated
    # The caches are shared by all requests (strawberry keeps them at module level, by size); the keys are
    # the query text (and token limit) and the document (and rules); bounded, so that unique query texts
    # cannot grow memory without limit.
    parse = ParserCache(maxsize=cache_size).cached_parse_document
    validate = ValidationCache(maxsize=cache_size).cached_validate_document
    rules = tuple(limit_rules)
    preparation = Preparation(parse, validate, rules, max_tokens, CostCache(maxsize=cache_size))

    def pipeline() -> Pipeline:  # a fresh instance per request
        return Pipeline(preparation)

    extensions: list[Any] = [pipeline]
    return LiaisonSchema(
        preparation,
        query=Query,
        mutation=Mutation,
        types=TYPES,
        extensions=extensions,
        scalar_overrides=SCALAR_OVERRIDES,
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
