"""What every GraphQL request goes through, as one schema extension: the document parsed once per query
text and validated once per document (shared, bounded caches), the depth, alias and token limits, the
cost refused before anything runs, U+0000 refused, domain errors coded and anything else masked, and
the request's read transaction closed at the end.

One extension rather than one per concern: strawberry builds a context manager for every hook of every
extension on every request, which cost more than the parsing the caches save."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from app.graphql.cost import CostCache, configured_maximum, refusal
from app.graphql.errors import finish_errors, refuse_nul

ParseDocument = Callable[..., Any]
ValidateDocument = Callable[..., list[GraphQLError]]


class Pipeline(SchemaExtension):
    def __init__(
        self,
        *,
        parse: ParseDocument,
        validate: ValidateDocument,
        rules: tuple[type[ASTValidationRule], ...],
        max_tokens: int,
        costs: CostCache,
        max_cost: int | None = None,
    ) -> None:
        self.costs = costs
        self.parse = parse
        self.validate = validate
        self.rules = rules
        self.max_tokens = max_tokens
        self._max_cost = max_cost
        self.cost: int | None = None  # None: the request never got as far as execution

    @property
    def max_cost(self) -> int:
        if self._max_cost is None:
            self._max_cost = configured_maximum(getattr(self, "execution_context", None))
        return self._max_cost

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + self.rules
        context.parse_options["max_tokens"] = self.max_tokens
        try:
            yield
            errors = getattr(context.result, "errors", None)
            if errors:
                context.result.errors = finish_errors(errors)  # type: ignore[union-attr]
        finally:
            close = getattr(context.context, "close", None)
            if close is not None:
                await close()

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self.parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = self.validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            self.cost = self.costs.cost(
                context.schema._schema,
                context.query or "",
                context.graphql_document,
                context.operation_name,
                context.variables,
            )
            if self.cost > self.max_cost:
                # Answered here: with a result already set, strawberry does not execute the operation.
                context.result = ExecutionResult(data=None, errors=[refusal(self.cost, self.max_cost)])
            refuse_nul(context.query, context.variables, context.graphql_document)
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requestedQueryCost": self.cost, "maximum": self.max_cost}}
