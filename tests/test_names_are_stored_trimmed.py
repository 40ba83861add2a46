"""A one-line name, title or label is kept without the spaces around it, in every collection: the rule is
the declaration's (`stored()` in app/domain/fields.py), not each use case's. Generated from the declarations:
each `name` field of each collection is sent padded, once on creation and once in a merge patch."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import bearer, make_org
from tests.test_error_codes_every_collection import COLLECTIONS, VALID, _fill, _world
from tests.test_rest_schemas_follow_declarations import DECLARED

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def _names(path: str) -> list[str]:
    """The collection's one-line text fields (ids written as names, such as a RACI entry's subject, aside)."""
    declared, _writable = DECLARED[path]
    return [f.name for f in declared if f.kind == "name" and not f.name.endswith("_id")]


@pytest.mark.parametrize("path", [p for p in COLLECTIONS if _names(p)])
async def test_a_name_is_kept_without_the_spaces_around_it(client: httpx.AsyncClient, path: str) -> None:
    org, admin = await make_org(client)
    ids = await _world(client, admin)
    h = bearer(org, "admin", person=ids["person"])
    declared, writable = DECLARED[path]
    patchable = {f.name for f in declared} if writable is None else set(writable)
    for i, name in enumerate(_names(path)):
        value = f"  name{i}@example.com   " if name == "email" else f"  Name {i}   "
        body = {**_fill(VALID[path], ids), name: value}
        if "email" in body and name != "email":
            body["email"] = f"n{i}@example.com"
        made = await client.post(f"/v1/{path}", json=body, headers=h)
        assert made.status_code == 201, made.text
        assert made.json()[name] == value.strip(), (path, name)
        if name in patchable:
            again = f"  renamed{i}@example.com " if name == "email" else f"  Renamed {i} "
            r = await client.patch(f"/v1/{path}/{made.json()['id']}", json={name: again}, headers={**h, **MERGE_PATCH})
            assert r.status_code == 200, r.text
            assert r.json()[name] == again.strip(), (path, name)
