"""Tables and migrations stay written by hand (migrations are history); these tests hold them to the
declarations (app/domain/fields.py): every declared field of a stored collection has a column that can hold
what the declaration lets through (a string as long as its limit, a choice's longest value, a date, a JSON
document…), NOT NULL where the declaration never lets a null through, nullable where it does; and the
migrated database is the tables the code declares, on both engines (Alembic's own comparison)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, BigInteger, Boolean, Date, Float, Integer, String

from app.domain.feedback.model import FEEDBACK_READ_ONLY, REQUEST_READ_ONLY, SURVEY_READ_ONLY
from app.domain.fields import Field
from app.domain.handoffs.model import COMMENT_FIELDS, COMMENT_READ_ONLY, HANDOFF_READ_ONLY
from app.domain.objectives.model import CHECK_IN_READ_ONLY, KEY_RESULT_READ_ONLY
from app.domain.objectives.progress import OBJECTIVE_READ_ONLY
from app.repo.engine import make_engine
from app.repo.repositories import SqlRepository
from app.repo.tables import metadata
from app.repo.types import UtcDateTime
from tests.test_rest_schemas_follow_declarations import DECLARED

JSON_KINDS = {"refs", "lines", "links", "external_refs", "json", "checklist", "questions"}
# Columns a null never reaches although the declaration takes one: the use case fills it (and refuses the
# request when it cannot).
FILLED = {"feedback_requests.requester_person_id"}  # the token's person when absent
# What the API sets, declared for the documentation: its columns must hold it too (nullability aside).
READ_ONLY: dict[str, tuple[Field, ...]] = {
    "objectives": OBJECTIVE_READ_ONLY,
    "key_results": KEY_RESULT_READ_ONLY,
    "check_ins": CHECK_IN_READ_ONLY,
    "handoffs": HANDOFF_READ_ONLY,
    "handoff_comments": COMMENT_READ_ONLY,
    "feedback": FEEDBACK_READ_ONLY,
    "feedback_requests": REQUEST_READ_ONLY,
    "surveys": SURVEY_READ_ONLY,
}
INT32 = 2**31 - 1
TYPES: dict[str, type] = {"date": Date, "instant": UtcDateTime, "number": Float, "integer": Integer, "bool": Boolean}


def _repositories() -> dict[str, type[SqlRepository[Any]]]:
    """Every repository class, by the collection it stores."""
    found: dict[str, type[SqlRepository[Any]]] = {}
    todo: list[type[Any]] = [SqlRepository]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if "row" in vars(cls) or "entity" in vars(cls):
            found[cls.collection] = cls
    return found


def _problems(field: Field, column: Any, *, set_by_the_api: bool = False) -> list[str]:
    at = f"{column.table.name}.{column.name}"
    kind, column_type = field.kind, column.type
    base = getattr(column_type, "impl", column_type)  # a type of ours decorates SQLAlchemy's
    out = []
    if kind in ("name", "text", "choice", "ref", "duration"):
        needed = {"name": field.limit, "text": field.limit, "ref": 40, "duration": 1}.get(
            kind, max((len(c) for c in field.choices), default=1)
        )
        length = getattr(column_type, "length", None)
        if not isinstance(base, String) or (length is not None and length < needed):
            out.append(f"{at}: {column_type!r} cannot hold {needed} characters ({field.name} is {kind})")
    elif kind in JSON_KINDS:
        if not isinstance(base, JSON):
            out.append(f"{at}: {column_type!r} is not JSON ({field.name} is {kind})")
    elif not isinstance(column_type, TYPES[kind]) and not isinstance(base, TYPES[kind]):
        out.append(f"{at}: {column_type!r} is not {TYPES[kind].__name__} ({field.name} is {kind})")
    elif kind == "integer" and max(abs(field.low), field.high) > INT32 and not isinstance(base, BigInteger):
        out.append(f"{at}: {column_type!r} holds 32 bits; {field.name} may reach {field.high:g}")
    if set_by_the_api:
        return out
    if not field.nullable and column.nullable:
        out.append(f"{at} takes NULL; the declaration never does")
    if field.nullable and not field.required and not column.nullable and kind not in JSON_KINDS and at not in FILLED:
        out.append(f"{at} is NOT NULL; the declaration lets a null through")
    return out


def test_every_declared_field_has_a_column_that_holds_it() -> None:
    repositories = _repositories()
    problems: list[str] = []
    collections = {
        {"raci": "raci_entries"}.get(path, path.replace("-", "_")): declared
        for path, (declared, _w) in DECLARED.items()
    }  # every collection of the REST kit (that test checks it), and the comments on handoffs
    collections["handoff_comments"] = COMMENT_FIELDS
    for collection, declared in collections.items():
        row = repositories[collection].row
        for f in (*declared, *READ_ONLY.get(collection, ())):
            attribute = row.__mapper__.attrs.get(f.name)
            if attribute is None:
                problems.append(f"{row.__tablename__}: no column for {f.name}")
                continue
            problems += _problems(f, attribute.columns[0], set_by_the_api=f not in declared)
    assert not problems, problems


async def test_the_migrated_database_is_the_declared_tables(database_url: str) -> None:
    engine = make_engine(database_url, null_pool=True)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata)
            )
    finally:
        await engine.dispose()
    assert differences == [], differences
