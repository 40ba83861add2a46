"""Domain errors in GraphQL: a machine-readable `extensions.code`; anything else is masked."""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit

from app.domain import errors as de
from app.domain.text import UNSTORABLE_MESSAGE, storable, unstorable_in
from app.repo.engine import is_rejected_value

CODES: dict[type[de.DomainError], str] = {
    de.Invalid: "BAD_USER_INPUT",
    de.NotFound: "NOT_FOUND",
    de.Conflict: "CONFLICT",
    de.PreconditionFailed: "PRECONDITION_FAILED",
    de.Unauthenticated: "UNAUTHENTICATED",
    de.Forbidden: "FORBIDDEN",
    de.RateLimited: "RATE_LIMITED",
}


REJECTED_VALUE = "A value in the request cannot be stored (out of range or an invalid character)."


def code_of(exc: BaseException | None) -> str | None:
    if exc is not None and is_rejected_value(exc):
        return "BAD_USER_INPUT"
    return next((code for cls, code in CODES.items() if isinstance(exc, cls)), None)


MASKED_MESSAGE = "Internal error; the request id identifies it in our logs."


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    # Validation and limit errors have no original error and say nothing private: keep them, and so
    # are errors raised as GraphQLError on purpose (bad scalar input).
    return (
        original is not None
        and not isinstance(original, de.DomainError | GraphQLError)
        and not is_rejected_value(original)
        and not _too_long_integer(original)
    )


def finish_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """An answer's errors as the client sees them: a domain error carries its `extensions.code`, a value
    the database refused says so without the driver's message (which quotes the statement), and
    anything unexpected is masked (logged with the request id, never shown)."""
    finished = []
    for error in errors:
        original = error.original_error
        if _should_mask(error):
            error = GraphQLError(
                MASKED_MESSAGE, nodes=error.nodes, source=error.source, positions=error.positions, path=error.path
            )
        else:
            code = code_of(original) or (None if (error.extensions or {}).get("code") else _request_code(error))
            if _too_long_integer(original):
                error.message, code = "An integer in the query has more digits than any value takes.", "BAD_USER_INPUT"
            if original is not None and is_rejected_value(original):
                error.message = REJECTED_VALUE
            if code:
                error.extensions = {**(error.extensions or {}), "code": code}
        finished.append(error)
    return finished


def _request_code(error: GraphQLError) -> str | None:
    """The code of an error in the request itself (graphql-core's, which carry none): a document that does
    not parse, a variable its type refuses (`$n: Int` given 2**31), a document the schema does not validate."""
    message = error.message
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable '$") and any(words in message for words in _VALUE_REFUSED):
        return "BAD_USER_INPUT"  # the value a variable was given (a variable's use is the document's)
    if error.original_error is None and error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return None


# How graphql-core words a variable's value refused by its type (coercion), not the document's use of it.
_VALUE_REFUSED = ("invalid value", "was not provided", "must not be null")


def _too_long_integer(exc: BaseException | None) -> bool:
    """Python refuses to read an integer of over 4,300 digits (a literal in the query): the request's fault."""
    return isinstance(exc, ValueError) and "integer string conversion" in str(exc)


def holds_nul(query: str | None, variables: Any, document: DocumentNode | None) -> GraphQLError | None:
    """No text may hold U+0000 or a lone surrogate (`app/domain/text.py`): the rule REST applies to
    request bodies, applied to every string a GraphQL request carries, in its variables or written in
    the query. The error to answer, or None."""
    text = query or ""
    # A literal can hold either only written as is or as an escape (`\u0000`, `\ud800`, `\u{0}`):
    # without one in the text, the document need not be walked.
    may_hold = "\\u" in text or not storable(text)
    if unstorable_in(variables) or (may_hold and _literal_holds_nul(document)):
        return GraphQLError(UNSTORABLE_MESSAGE, extensions={"code": "BAD_USER_INPUT"})
    return None


def _literal_holds_nul(document: DocumentNode | None) -> bool:
    found = False

    class Strings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            nonlocal found
            found = found or not storable(node.value)

    if document is not None:
        visit(document, Strings())
    return found
