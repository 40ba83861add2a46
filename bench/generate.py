"""A generator of realistic organizations, written straight into the tables with COPY (fast enough for
100,000 units): a company, divisions, departments, teams and projects, 6 to 8 levels deep; managers
inside the tree; each person with one primary membership."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import asyncpg
from ulid import ULID

KINDS = ["company", "division", "department", "department", "team", "team", "project", "team"]


@dataclass
class Org:
    id: str
    units: list[tuple[str, str | None, int]] = field(default_factory=list)  # id, parent, depth
    people: list[str] = field(default_factory=list)
    subtree_root: str | None = None


def _id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"


def shape(n_units: int, rnd: random.Random, depth: int = 7) -> list[tuple[int, int | None, int]]:
    """(index, parent index, depth) for n units in a tree `depth` levels deep, wide near the top."""
    out: list[tuple[int, int | None, int]] = [(0, None, 0)]
    levels: list[list[int]] = [[0]]
    per_level = max(1, round((n_units - 1) ** (1 / (depth - 1))))
    while len(out) < n_units:
        for d in range(1, depth):
            if len(levels) <= d:
                levels.append([])
            for _ in range(per_level ** min(d, 3)):
                if len(out) >= n_units:
                    break
                parent = rnd.choice(levels[d - 1])
                out.append((len(out), parent, d))
                levels[d].append(len(out) - 1)
    return out


async def create_org(
    conn: asyncpg.Connection, name: str, n_units: int, n_people: int, *, seed: int = 1, subtree: int | None = None
) -> Org:
    """An organization of n_units units and n_people people. With `subtree`, one unit of depth 1 gets a
    subtree of exactly that many units, the same shape whatever n_units is (for scaling benchmarks)."""
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    org = Org(_id("org"))
    await conn.execute(
        "INSERT INTO organizations (id, name, slug, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $4, 1)",
        org.id,
        name,
        f"bench-{org.id.lower()[-10:]}",
        now,
    )
    tree = shape(n_units - (subtree or 0), rnd)
    ids = [_id("unit") for _ in tree]
    org.units = [(ids[i], ids[p] if p is not None else None, d) for i, p, d in tree]
    if subtree:
        sub = shape(subtree, random.Random(99))  # the same shape in every organization
        sub_ids = [_id("unit") for _ in sub]
        anchor = next(u for u in org.units if u[2] == 1)[0]
        org.subtree_root = sub_ids[0]
        org.units += [(sub_ids[i], sub_ids[p] if p is not None else anchor, d + 2) for i, p, d in sub]
    rows = [
        (uid, org.id, f"Unit {n}", KINDS[min(d, len(KINDS) - 1)], parent, None, "{}", now, now, 1)
        for n, (uid, parent, d) in enumerate(org.units)
    ]
    await conn.copy_records_to_table(
        "units",
        records=rows,
        columns=[
            "id",
            "organization_id",
            "name",
            "kind",
            "parent_id",
            "lead_person_id",
            "external_refs",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    people, memberships = [], []
    for n in range(n_people):
        pid = _id("person")
        manager = org.people[rnd.randrange(0, len(org.people))] if org.people and rnd.random() < 0.98 else None
        people.append(
            (
                pid,
                org.id,
                f"Given{n}",
                f"Family{n}",
                f"p{n}@{org.id.lower()}.test",
                f"p{n}@{org.id.lower()}.test",
                rnd.choice([None, "Engineer", "Manager", "Analyst"]),
                manager,
                "active",
                "{}",
                now,
                now,
                1,
            )
        )
        org.people.append(pid)
        unit_id = org.units[rnd.randrange(0, len(org.units))][0]
        memberships.append(
            (_id("mbr"), org.id, pid, unit_id, None, "member", True, date(2020, 1, 1), None, "{}", now, now, 1)
        )
    await conn.copy_records_to_table(
        "people",
        records=people,
        columns=[
            "id",
            "organization_id",
            "given_name",
            "family_name",
            "email",
            "email_key",
            "title",
            "manager_id",
            "status",
            "external_refs",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    await conn.copy_records_to_table(
        "memberships",
        records=memberships,
        columns=[
            "id",
            "organization_id",
            "person_id",
            "unit_id",
            "title",
            "kind",
            "is_primary",
            "starts_on",
            "ends_on",
            "external_refs",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    await conn.execute("ANALYZE units; ANALYZE people; ANALYZE memberships")
    return org
