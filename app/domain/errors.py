"""One hierarchy of domain errors. Transports map them once: REST to RFC 9457, GraphQL to userErrors."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field. `field` is a JSON pointer into the input (`/people/17/email`)."""

    field: str
    message: str
    code: str = "invalid"


class DomainError(Exception):
    """`problem`: the word both transports use for the kind of error (REST's problem type ends with it,
    GraphQL's `userErrors.code` is it). `field`: a JSON pointer to the input field at fault, if one is."""

    code = "error"
    problem = "bad-request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class Invalid(DomainError):
    """The input breaks a rule of the domain (HTTP 422)."""

    code = "invalid"
    problem = "invalid-request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class NotFound(DomainError):
    """No such object in the caller's organization (HTTP 404), whether it exists elsewhere or not."""

    code = "not_found"
    problem = "not-found"


class Conflict(DomainError):
    """The change collides with the state of things: duplicate, cycle, illegal transition (HTTP 409)."""

    code = "conflict"
    problem = "conflict"


class PreconditionFailed(DomainError):
    """The caller's version of the object is stale (HTTP 412)."""

    code = "precondition_failed"
    problem = "precondition-failed"


class Unauthenticated(DomainError):
    """Missing or bad credentials (HTTP 401)."""

    code = "unauthenticated"
    problem = "unauthenticated"


class MissingCredentials(Unauthenticated):
    """No credentials at all (RFC 6750: the challenge then carries no error code)."""


class Forbidden(DomainError):
    """Authenticated, but not allowed (HTTP 403)."""

    code = "forbidden"
    problem = "forbidden"


class RateLimited(DomainError):
    """Too much work for the caller's share of the rate limit (HTTP 429): retry after `retry_after` s."""

    code = "rate_limited"
    problem = "too-many-requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass
class ErrorList:
    """Collects field errors while a whole input is checked, so that every error is reported at once."""

    items: list[FieldError] = field(default_factory=list)

    def add(self, pointer: str, message: str, code: str = "invalid") -> None:
        self.items.append(FieldError(pointer, message, code))

    def raise_if_any(self, detail: str = "The request has invalid fields.") -> None:
        if self.items:
            raise Invalid(detail, list(self.items))
