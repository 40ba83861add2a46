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

from graphql import DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema
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

    def screen(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        rules: tuple[type[ASTValidationRule], ...],
        max_cost: int,
    ) -> tuple[int | None, list[GraphQLError]]:
        """A parsed document, before it runs, for both ways in (POST here, GET through strawberry): its
        validation (cached), then its cost (refused over `max_cost`), then U+0000 in its text or
        variables. The cost (None when the document is not valid) and the errors to answer, if any."""
        errors = self.validate(schema, document, rules)
        if errors:
            return None, errors
        cost = self.costs.cost(schema, query, document, operation_name, variables)
        if cost > max_cost:
            return cost, [refusal(cost, max_cost)]
        nul = holds_nul(query, variables, document)
        return cost, [] if nul is None else [nul]


class Pipeline(SchemaExtension):
    """The GET way in (strawberry's view): the same preparation as POST, as strawberry's hooks."""

    def __init__(self, preparation: Preparation, max_cost: int | None = None) -> None:
        self.preparation = preparation
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
        context.validation_rules = context.validation_rules + self.preparation.rules
        context.parse_options["max_tokens"] = self.preparation.max_tokens
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
                context.graphql_document = self.preparation.parse(context.query, **context.parse_options)
            except GraphQLError:
                return  # strawberry parses again and answers the syntax error
        document = context.graphql_document
        if document is None:
            return
        self.cost, errors = self.preparation.screen(
            context.schema._schema,
            context.query or "",
            document,
            context.operation_name,
            context.variables,
            context.validation_rules,
            self.max_cost,
        )
        if self.cost is None:
            context.pre_execution_errors = errors  # strawberry answers them without executing
        else:
            context.pre_execution_errors = []
            if errors:  # with a result already set, strawberry does not execute the operation
                context.result = ExecutionResult(data=None, errors=errors)

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requestedQueryCost": self.cost, "maximum": self.max_cost}}
