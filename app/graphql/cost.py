"""What a GraphQL query costs, known before it runs, and the refusal of one that costs too much.

The cost of a selection set is the sum, over its fields, of the field's own weight (1; 10 for a root
mutation field) plus a multiplier times the cost of the field's own selection:

* a connection field (its type is a `*Connection` object) multiplies by its `first` argument (written
  in the query, read from the request's variables, or else the field's default in the schema); the
  `edges`/`node`/`pageInfo` inside it multiply by 1, `first` having counted the page already;
* a list of objects multiplies by the size declared for it in LIST_SIZES (DEFAULT_LIST_SIZE if absent);
* a single object multiplies by 1; scalars and lists of scalars have no selection and cost 1.

Fragments (inline and named) count as the fields they add; on an interface or union the costliest of
its possible types is counted; a field left out by `@skip`/`@include` costs nothing. Each response key
counts once, as it runs once.

QueryCost, a schema extension, computes this for every request (variables differ from one request to
the next, so the cost is never cached with the parsed and validated document) after validation and
before execution: a query that costs more than `graphql_max_cost` is answered with a
`QUERY_TOO_COSTLY` error and no resolver runs. Every answer carries `extensions.cost`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    GRAPHQL_MAX_INT,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_composite_type,
    is_list_type,
    is_object_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from app.settings import get_settings

CODE = "QUERY_TOO_COSTLY"

FIELD_WEIGHT = 1
# A mutation writes (a transaction, events, webhooks): each root mutation field weighs as much as ten reads.
MUTATION_WEIGHT = 10
# The most a cost is reported as: nested pages multiply, and an answer carries the figure as a JSON number
# every client reads exactly (2**53); any cost near it is refused anyway.
COST_CEILING = 2**53
# `first` when neither the query nor the schema gives one (the schema's connections default to 50).
DEFAULT_FIRST = 50
CONNECTION_SUFFIX = "Connection"

# Expected length of a list of objects, by "Type.field". Not a limit: what a query is charged per item
# it selects below the list, so each number is a typical size, not a worst case.
DEFAULT_LIST_SIZE = 20  # a list not named below: a team-sized list
LIST_SIZES: dict[str, int] = {
    # An objective's aligned children, key results and contributing units: a handful each.
    "Objective.children": 10,
    "Objective.keyResults": 5,
    "Objective.contributors": 3,
    # The latest check-ins of an objective or a key result (at most 50 are read).
    "Objective.checkIns": 20,
    "KeyResult.checkIns": 20,
    "ProgressExplained.inputs": 10,
    # A unit's handoffs, a handoff's comments and transitions.
    "Unit.incomingHandoffs": 20,
    "Unit.outgoingHandoffs": 20,
    "Handoff.comments": 10,
    "Handoff.timeline": 10,
    # Collaboration analytics: the pairs of units that share something (a few per unit), and per pair the
    # objectives one owns and the other contributes to, and the surveys about one answered by the other.
    "Query.collaboration": 50,
    "CollaborationPair.sharedObjectives": 3,
    "CollaborationPair.surveyScores": 3,
    # The objectives a unit owns in the periods on record.
    "Unit.objectives": 10,
    # Roots of the chart: one per company or system synced in; a handful at most.
    "Query.orgChart": 5,
    # Direct sub-units of a unit: departments have a few teams, a company a dozen departments.
    "Unit.children": 10,
    # Ancestors run up to the root: org charts are rarely more than 8-10 levels deep.
    "Unit.ancestors": 10,
    # People in a unit and their memberships (one per person): a team to a small department.
    "Unit.members": 20,
    "Unit.memberships": 20,
    # Direct reports: a manager's span of control is typically 5-10.
    "Person.reports": 10,
    # A person belongs to one primary unit and maybe a project or two.
    "Person.memberships": 3,
    "Person.units": 3,
    # Roles a unit owns or a person holds, a role's holders; RACI entries on a subject; its resolved people.
    "Unit.roles": 5,
    "Person.roles": 3,
    "Role.holders": 10,
    "RaciSubject.raci": 5,
    "Objective.raci": 5,
    "KeyResult.raci": 5,
    "Handoff.raci": 5,
    "Unit.raci": 5,
    "RaciResolved.responsible": 5,
    "RaciResolved.accountable": 1,
    "RaciResolved.consulted": 5,
    "RaciResolved.informed": 10,
    "RaciResolved.entries": 5,
    "RaciHolder.paths": 2,
    "Responsibilities.roles": 3,
    "RaciMatrix.parties": 20,
    "RaciMatrix.rows": 50,
    "MatrixRow.cells": 5,
    "Responsibilities.letters": 20,
    # Validation problems with a mutation's input: usually none, a few at worst.
    "UnitPayload.userErrors": 3,
    "PersonPayload.userErrors": 3,
    "MembershipPayload.userErrors": 3,
    "DeleteUnitPayload.userErrors": 3,
    # A sync reports a problem per bad row, and a sync is many rows.
    "SyncOrgChartPayload.userErrors": 20,
    # Introspection answers from the schema in memory; these are the schema's own orders of magnitude
    # (about 50 types, objects of up to ~20 fields, few arguments), so that GraphiQL's and codegen's
    # introspection query is admitted while the endless `ofType`/`fields` nesting it allows is still charged.
    "__Schema.types": 60,
    "__Schema.directives": 8,
    "__Type.fields": 15,
    "__Type.inputFields": 8,
    "__Type.enumValues": 5,
    "__Type.interfaces": 1,
    "__Type.possibleTypes": 8,
    "__Field.args": 2,
    "__Directive.args": 2,
}


def list_size(type_name: str, field_name: str) -> int:
    return LIST_SIZES.get(f"{type_name}.{field_name}", DEFAULT_LIST_SIZE)


@dataclass
class _Costing:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    mutation_type: GraphQLObjectType | None = field(init=False)

    def __post_init__(self) -> None:
        self.mutation_type = self.schema.mutation_type

    def selection(self, selection_sets: list[SelectionSetNode], parent: Any) -> int:
        if is_abstract_type(parent):
            possible = self.schema.get_possible_types(parent)
            return max((self._object(selection_sets, t) for t in possible), default=0)
        return self._object(selection_sets, parent)

    def _object(self, selection_sets: list[SelectionSetNode], parent: GraphQLObjectType) -> int:
        fields: dict[str, list[FieldNode]] = {}
        seen: set[str] = set()
        for selection_set in selection_sets:
            self._collect(selection_set, parent, fields, seen)
        return sum(self._field(parent, nodes) for nodes in fields.values())

    def _collect(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLObjectType,
        into: dict[str, list[FieldNode]],
        seen: set[str],
    ) -> None:
        """The fields a selection set asks of an object of type `parent`, by response key (as graphql-core
        collects them to execute), through fragments whose type condition the type meets."""
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                into.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, parent):
                    self._collect(selection.selection_set, parent, into, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in seen or fragment is None or not self._applies(fragment.type_condition, parent):
                    continue
                seen.add(name)
                self._collect(fragment.selection_set, parent, into, seen)

    def _field(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> int:
        name = nodes[0].name.value
        weight = MUTATION_WEIGHT if parent is self.mutation_type else FIELD_WEIGHT
        definition = self._definition(parent, name)
        if definition is None:  # __typename
            return weight
        child = get_named_type(definition.type)
        below = [n.selection_set for n in nodes if n.selection_set is not None]
        if not below or not is_composite_type(child):
            return weight
        return weight + self._multiplier(parent, name, definition, nodes[0]) * self.selection(below, child)

    def _definition(self, parent: GraphQLObjectType, name: str) -> GraphQLField | None:
        if parent is self.schema.query_type and name == "__schema":
            return SchemaMetaFieldDef
        if parent is self.schema.query_type and name == "__type":
            return TypeMetaFieldDef
        return parent.fields.get(name)

    def _multiplier(self, parent: GraphQLObjectType, name: str, definition: GraphQLField, node: FieldNode) -> int:
        child = get_named_type(definition.type)
        if is_object_type(child) and child.name.endswith(CONNECTION_SUFFIX):
            return self._first(definition, node)
        if is_list_type(get_nullable_type(definition.type)):
            # The edges of a connection: `first` has counted them.
            return 1 if parent.name.endswith(CONNECTION_SUFFIX) else list_size(parent.name, name)
        return 1

    def _first(self, definition: GraphQLField, node: FieldNode) -> int:
        argument = definition.args.get("first")
        default = _count(argument.default_value) if argument is not None else None
        fallback = DEFAULT_FIRST if default is None else default
        written = next((a for a in node.arguments or () if a.name.value == "first"), None)
        if written is None:
            return fallback
        # A value that is not a count (null, a string) fails when the query runs; charge the default.
        value = _count(value_from_ast_untyped(written.value, self.variables))
        return fallback if value is None else value

    def _included(self, selection: SelectionNode) -> bool:
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next((a for a in directive.arguments or () if a.name.value == "if"), None)
            value = value_from_ast_untyped(condition.value, self.variables) if condition else None
            if (name == "skip" and value is True) or (name == "include" and value is False):
                return False
        return True

    def _applies(self, condition: NamedTypeNode | None, parent: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        named = self.schema.get_type(condition.name.value)
        if named is parent:
            return True
        return named is not None and is_abstract_type(named) and self.schema.is_sub_type(named, parent)


def _count(value: Any) -> int | None:
    """An Int argument's value as a count (negative asks for nothing), or None if it is not one: not a whole
    number, or beyond GraphQL's Int (the request fails on it when it runs)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return max(value, 0) if isinstance(value, int) and value <= GRAPHQL_MAX_INT else None


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The cost of the operation a request runs (0 if the document does not name one to run)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    with_defaults = _with_defaults(operation, variables or {})
    if isinstance(variables, _ReadVariables):  # keep noting what is read
        variables.update({k: v for k, v in with_defaults.items() if k not in variables})
        with_defaults = variables
    costing = _Costing(schema, fragments, with_defaults)
    return min(costing.selection([operation.selection_set], root), COST_CEILING)


def _with_defaults(operation: OperationDefinitionNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The request's variables, and the defaults the operation declares for those it leaves out."""
    values = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


class _ReadVariables(dict[str, Any]):
    """The request's variables, noting which ones the costing reads (only `first`, `@skip` and `@include`
    arguments written as variables do)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __bool__(self) -> bool:  # graphql-core reads no variable from an empty mapping: it must read, to note it
        return True


class CostCache:
    """Costs by query text and operation, and by the values of the variables the costing read: a query
    asked again with other ids costs what it cost, without walking the document again. Bounded."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[str, str | None], tuple[tuple[str, ...], dict[bytes, int]]] = OrderedDict()

    def cost(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        values = dict(variables or {})
        key = (query, operation_name)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            names, costs = entry
            found = costs.get(_values_key(names, values))
            if found is not None:
                return found
        tracked = _ReadVariables(values)
        computed = operation_cost(schema, document, operation_name, tracked)
        names = tuple(sorted(tracked.read))
        if entry is None or entry[0] != names:
            entry = (names, {})
            self._entries[key] = entry
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        if len(entry[1]) < 64:  # a handful of page sizes per query
            entry[1][_values_key(names, values)] = computed
        return computed


def _values_key(names: tuple[str, ...], values: Mapping[str, Any]) -> bytes:
    read = [[n, n in values, values.get(n)] for n in names]
    try:
        return orjson.dumps(read, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson does not write (an integer beyond 64 bits): the json module does
        return json.dumps(read, sort_keys=True, default=repr).encode()


def refusal(cost: int, maximum: int) -> GraphQLError:
    return GraphQLError(
        f"Query cost {cost} exceeds the maximum cost of {maximum}: ask for smaller pages (`first`) "
        "or fewer nested lists.",
        extensions={"code": CODE, "cost": cost, "maximum": maximum},
    )


def configured_maximum(execution_context: Any) -> int:
    """The setting of the app serving the request; outside a request (a script calling the schema), the
    environment's."""
    return maximum_for(getattr(getattr(execution_context, "context", None), "request", None))


def maximum_for(request: Any) -> int:
    settings = getattr(getattr(getattr(request, "app", None), "state", None), "settings", None)
    maximum = getattr(settings, "graphql_max_cost", None)
    return maximum if isinstance(maximum, int) else get_settings().graphql_max_cost
