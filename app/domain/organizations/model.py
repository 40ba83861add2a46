from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from app.domain.errors import ErrorList
from app.domain.model import Entity
from app.domain.text import name_problem

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")  # with fullmatch


@dataclass(kw_only=True)
class Organization(Entity):
    """A tenant. Its own id is its organization_id."""

    name: str
    slug: str

    private_fields: ClassVar[frozenset[str]] = frozenset({"organization_id"})


def check_organization(name: Any, slug: Any) -> None:
    errors = ErrorList()
    problem = name_problem(name, 200)
    if problem:
        errors.add("/name", problem)
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        errors.add("/slug", "must be lowercase letters, digits and inner hyphens, at most 64 characters")
    errors.raise_if_any()
