"""GraphQL over POST, run on graphql-core directly with the schema strawberry built.

strawberry's view and `Schema.execute` around graphql-core cost more than half of a small query's CPU
(an execution context, an extension runner with a context manager per hook, an adapter per request,
its own JSON); bench/RESULTS.md has the figures. This path does what they do for a POST, with the same
answers: the body read as JSON (400 otherwise), the document parsed and validated once per text (the
shared caches), the depth, alias, token and cost limits, U+0000 refused, errors logged the way strawberry
logs them, coded or masked (app.graphql.errors), and `extensions.cost` on every answer. GET (GraphiQL,
queries by GET) stays on strawberry's view, with the same rules through app.graphql.pipeline."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, specified_rules
from starlette.requests import Request
from starlette.responses import Response
from strawberry.execution.is_awaitable import optimized_is_awaitable

from app import jsonbody
from app.auth.http import charge
from app.domain.errors import RateLimited
from app.graphql.context import Context, get_context
from app.graphql.cost import maximum_for
from app.graphql.errors import finish_errors
from app.graphql.pipeline import mutation_weight
from app.graphql.schema import LiaisonSchema


def _bad_request(reason: str) -> Response:
    """A request that is no GraphQL request (GraphQL over HTTP §7.1.2): 400, and still a GraphQL
    response body a client can read."""
    body = {"errors": [{"message": reason, "extensions": {"code": "BAD_REQUEST"}}]}
    return Response(jsonbody.dumps(body), status_code=400, media_type="application/json")


async def graphql_post(schema: LiaisonSchema, request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    if "application/json" not in content_type.split(";")[0].lower():
        return _bad_request("Unsupported content type")
    try:
        data = jsonbody.loads(await request.body())
    except orjson.JSONDecodeError:
        return _bad_request("Unable to parse request body as JSON")
    if isinstance(data, list):
        return _bad_request("Batching is not enabled")
    if not isinstance(data, dict):
        return _bad_request("The GraphQL request must be a JSON object.")
    query, variables, operation_name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str | None):
        return _bad_request("The GraphQL operation's `query` must be a string or null, if provided.")
    if not isinstance(variables, dict | None):
        return _bad_request("The GraphQL operation's `variables` must be an object or null, if provided.")
    if not isinstance(operation_name, str | None):
        return _bad_request("The GraphQL operation's `operationName` must be a string or null, if provided.")
    if not query:
        return _bad_request("No GraphQL query found in the request")

    context = await get_context(request)
    context.request = request
    try:
        answer = await _run(schema, context, query, variables, operation_name)
    finally:
        await context.close()
    if isinstance(answer, Response):
        return answer
    return Response(jsonbody.dumps(answer), media_type="application/json")


async def _run(
    schema: LiaisonSchema,
    context: Context,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> dict[str, Any] | Response:
    graphql_schema, preparation = schema._schema, schema.preparation
    max_cost = maximum_for(context.request)
    try:
        document = preparation.parse(query, max_tokens=preparation.max_tokens)
    except GraphQLError as error:
        return _answer(schema, ExecutionResult(data=None, errors=[error]), None, max_cost)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return _bad_request(
            "Can't get GraphQL operation type"
            if operation_name is None
            else f'Unknown operation named "{operation_name}".'
        )
    if operation.operation is OperationType.SUBSCRIPTION:
        return _bad_request("subscriptions are not allowed when using POST")
    # The rules strawberry's execution context starts from, and ours: the validation cache's key is the
    # same as for a GET of the same text (strawberry's cached validation adds its schema's own two rules).
    rules = (*specified_rules, *preparation.rules)
    cost, errors = preparation.screen(graphql_schema, query, document, operation_name, variables, rules, max_cost)
    if errors:
        return _answer(schema, ExecutionResult(data=None, errors=errors), cost, max_cost)
    try:
        weight = mutation_weight(graphql_schema, document, operation_name, variables)
        await charge(context.request, weight)  # type: ignore[arg-type]
    except RateLimited as exc:
        refused = ExecutionResult(data=None, errors=[GraphQLError(exc.detail, original_error=exc)])
        body = jsonbody.dumps(_answer(schema, refused, cost, max_cost))
        return Response(
            body, status_code=429, headers={"Retry-After": str(exc.retry_after)}, media_type="application/json"
        )
    result = execute(
        graphql_schema,
        document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
    )
    if optimized_is_awaitable(result):
        result = await result  # type: ignore[misc]
    return _answer(schema, result, cost, max_cost)  # type: ignore[arg-type]


def _answer(schema: strawberry.Schema, result: ExecutionResult, cost: int | None, max_cost: int) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        schema.process_errors(result.errors)  # logged as strawberry logs them, before they are masked
        body["errors"] = [error.formatted for error in finish_errors(list(result.errors))]
    body["extensions"] = {"cost": {"requestedQueryCost": cost, "maximum": max_cost}}
    return body


__all__ = ["graphql_post"]
