"""Domain errors in GraphQL: a machine-readable `extensions.code`; anything else is masked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import MaskErrors, SchemaExtension

from app.domain import errors as de
from app.repo.engine import is_rejected_value

CODES: dict[type[de.DomainError], str] = {
    de.Invalid: "BAD_USER_INPUT",
    de.NotFound: "NOT_FOUND",
    de.Conflict: "CONFLICT",
    de.PreconditionFailed: "PRECONDITION_FAILED",
    de.Unauthenticated: "UNAUTHENTICATED",
    de.Forbidden: "FORBIDDEN",
}


REJECTED_VALUE = "A value in the request cannot be stored (out of range or an invalid character)."


def code_of(exc: BaseException | None) -> str | None:
    if exc is not None and is_rejected_value(exc):
        return "BAD_USER_INPUT"
    return next((code for cls, code in CODES.items() if isinstance(exc, cls)), None)


class DomainErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            code = code_of(error.original_error)
            if error.original_error is not None and is_rejected_value(error.original_error):
                error.message = REJECTED_VALUE  # the driver's own message quotes the statement
            if code:
                error.extensions = {**(error.extensions or {}), "code": code}


def masked() -> MaskErrors:
    def should_mask(error: GraphQLError) -> bool:
        original = error.original_error
        # Validation and limit errors have no original error and say nothing private: keep them, and so
        # are errors raised as GraphQLError on purpose (bad scalar input).
        return (
            original is not None
            and not isinstance(original, de.DomainError | GraphQLError)
            and not is_rejected_value(original)
        )

    return MaskErrors(
        should_mask_error=should_mask, error_message="Internal error; the request id identifies it in our logs."
    )


class RefuseNul(SchemaExtension):
    """No text may hold U+0000 (PostgreSQL cannot store it): the rule REST applies to request bodies,
    applied here to every string a GraphQL request carries, in its variables or written in the query."""

    MESSAGE = "Text must not contain the NUL character (U+0000)."

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if _holds_nul(context.variables) or _literal_holds_nul(context.graphql_document):
            raise GraphQLError(self.MESSAGE, extensions={"code": "BAD_USER_INPUT"})
        yield


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _literal_holds_nul(document: DocumentNode | None) -> bool:
    found = False

    class Strings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            nonlocal found
            found = found or "\x00" in node.value

    if document is not None:
        visit(document, Strings())
    return found
