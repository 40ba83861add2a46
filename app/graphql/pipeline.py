"""What every GraphQL request goes through, as one schema extension: the document parsed once per query
text and validated once per document (shared, bounded caches), the depth, alias and token limits, the
cost refused before anything runs, U+0000 refused, domain errors coded and anything else masked, and
the request's read transaction closed at the end.

One extension rather than one per concern: strawberry builds a context manager for every hook of every
extension on every request, which cost more than the parsing the caches save."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from app.graphql.cost import CostCache, configured_maximum, refusal
from app.graphql.errors import finish_errors, holds_nul

ParseDocument = Callable[..., Any]
ValidateDocument = Callable[..., list[GraphQLError]]


@dataclass(frozen=True)
class Preparation:
    """What every request's document goes through before it runs, shared by all requests: the parse and
    validation caches, the limit rules, the token limit and the cost cache."""

    parse: ParseDocument
    validate: ValidateDocument
    rules: tuple[type[ASTValidationRule], ...]
    max_tokens: int
    costs: CostCache


class Pipeline(SchemaExtension):
    def __init__(self, preparation: Preparation, max_cost: int | None = None) -> None:
        self.costs = preparation.costs
        self.parse = preparation.parse
        self.validate = preparation.validate
        self.rules = preparation.rules
        self.max_tokens = preparation.max_tokens
        self._max_cost = max_cost
        self.cost: int | None = None  # None: the request never got as far as execution

    @property
    def max_cost(self) -> int:
        if self._max_cost is None:
            self._max_cost = configured_maximum(getattr(self, "execution_context", None))
        return self._max_cost

    async def on_operation(self) -> AsyncIterator[None]:
        """Everything before execution happens here, in one hook: strawberry builds a context manager per
        hook per request, and skips its own parsing and validation when a document and its validation
        are already there. A document that does not parse is left to strawberry, which reports it."""
        context = self.execution_context
        context.validation_rules = context.validation_rules + self.rules
        context.parse_options["max_tokens"] = self.max_tokens
        try:
            self._prepare()
            yield
            errors = getattr(context.result, "errors", None)
            if errors:
                context.result.errors = finish_errors(errors)  # type: ignore[union-attr]
        finally:
            close = getattr(context.context, "close", None)
            if close is not None:
                await close()

    def _prepare(self) -> None:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            try:
                context.graphql_document = self.parse(context.query, **context.parse_options)
            except GraphQLError:
                return  # strawberry parses again and answers the syntax error
        document = context.graphql_document
        if document is None:
            return
        context.pre_execution_errors = self.validate(context.schema._schema, document, context.validation_rules)
        if context.pre_execution_errors:
            return
        self.cost = self.costs.cost(
            context.schema._schema, context.query or "", document, context.operation_name, context.variables
        )
        if self.cost > self.max_cost:
            # Answered here: with a result already set, strawberry does not execute the operation.
            context.result = ExecutionResult(data=None, errors=[refusal(self.cost, self.max_cost)])
        elif (nul := holds_nul(context.query, context.variables, document)) is not None:
            context.result = ExecutionResult(data=None, errors=[nul])

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requestedQueryCost": self.cost, "maximum": self.max_cost}}
