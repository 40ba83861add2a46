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

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from app.domain.text import MAX_DEPTH, depth_of
from app.domain.usage import MAX_MUTATIONS, mutations_weight, sync_weight
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
        if depth_of(variables) > MAX_DEPTH:
            message = f"The variables nest more than {MAX_DEPTH} levels deep."
            return None, [GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})]
        errors = self.validate(schema, document, rules)
        if errors:
            return None, errors
        cost = self.costs.cost(schema, query, document, operation_name, variables)
        if cost > max_cost:
            return cost, [refusal(cost, max_cost)]
        mutations = mutation_count(document, operation_name)
        if mutations > MAX_MUTATIONS:
            message = f"A document may hold at most {MAX_MUTATIONS} mutations; this one holds {mutations}."
            return cost, [GraphQLError(message, extensions={"code": "MUTATION_LIMIT"})]
        nul = holds_nul(query, variables, document)
        return cost, [] if nul is None else [nul]


# What a mutation weighs in the rate limit beyond one hit, by its root field's name and arguments
# (app/domain/usage.py).
ARGUMENT_WEIGHTS: dict[str, Callable[[dict[str, Any]], int]] = {
    "syncOrgChart": lambda args: sync_weight(len(args.get("units") or []), len(args.get("people") or [])),
}


def _root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> list[FieldNode]:
    """The operation's root fields, aliases and fragments expanded."""
    fragments = {f.name.value: f for f in document.definitions if isinstance(f, FragmentDefinitionNode)}
    found: list[FieldNode] = []

    def collect(selections: SelectionSetNode, seen: frozenset[str]) -> None:
        for node in selections.selections:
            if isinstance(node, FieldNode):
                if node.name.value != "__typename":
                    found.append(node)
            elif isinstance(node, InlineFragmentNode):
                collect(node.selection_set, seen)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments and node.name.value not in seen:
                collect(fragments[node.name.value].selection_set, seen | {node.name.value})

    collect(operation.selection_set, frozenset())
    return found


def mutation_count(document: DocumentNode, operation_name: str | None) -> int:
    """The root fields of the document's mutation (aliases and fragments counted), 0 for a query."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.MUTATION:
        return 0
    return len(_root_fields(document, operation))


def mutation_weight(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> int:
    """The hits a valid document weighs beyond its request's own, all known before anything runs: one per
    mutation after the first, and what each heavy mutation's arguments weigh (ARGUMENT_WEIGHTS)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.MUTATION or schema.mutation_type is None:
        return 0
    fields = _root_fields(document, operation)
    weight = mutations_weight(len(fields))
    heavy = [f for f in fields if f.name.value in ARGUMENT_WEIGHTS]
    if heavy:
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):  # invalid variables: execution reports them, and nothing runs
            return weight
        for node in heavy:
            definition = schema.mutation_type.fields[node.name.value]
            weight += ARGUMENT_WEIGHTS[node.name.value](get_argument_values(definition, node, coerced))
    return weight


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
