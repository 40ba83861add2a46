"""An integrator's generated SDK works: `openapi-python-client` turns the committed document into a client,
which creates a unit, pages people, and gets typed problems back (not `None`) on a 409 and a 422."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.factories import make_org

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert generator, "openapi-python-client is a dev dependency (make install)"
    out = tmp_path_factory.mktemp("sdk") / "liaison_client"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [generator, "generate", "--path", str(DOCUMENT), "--output-path", str(out), "--meta", "none"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module("liaison_client")
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m == "liaison_client" or m.startswith("liaison_client.")]:
            del sys.modules[name]


def _module(sdk: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{sdk.__name__}.{name}")


async def test_a_generated_client_creates_pages_and_gets_typed_problems(
    sdk: ModuleType, app: Any, client: httpx.AsyncClient
) -> None:
    _org, h = await make_org(client)
    token = h["Authorization"].removeprefix("Bearer ")
    api = sdk.AuthenticatedClient(base_url="http://liaison.test", token=token)
    api.set_async_httpx_client(
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://liaison.test",
            headers={"Authorization": f"Bearer {token}"},
        )
    )
    models = _module(sdk, "models")
    create_unit = _module(sdk, "api.units.create_unit")
    update_unit = _module(sdk, "api.units.update_unit")
    create_person = _module(sdk, "api.people.create_person")
    list_people = _module(sdk, "api.people.list_people")

    unit = await create_unit.asyncio(
        client=api, body=models.UnitCreate(name="Sales", kind=models.UnitCreateKind("department"))
    )
    assert isinstance(unit, models.Unit) and unit.name == "Sales" and unit.id.startswith("unit_")

    for n in range(5):
        person = await create_person.asyncio(
            client=api, body=models.PersonCreate(given_name="Ada", family_name=f"L{n}", email=f"ada{n}@example.com")
        )
        assert isinstance(person, models.Person)
    seen: list[str] = []
    cursor = None
    while True:
        page = await list_people.asyncio(client=api, limit=2, cursor=cursor)
        assert isinstance(page, models.ListOfPerson)
        seen += [p.email for p in page.data]
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == [f"ada{n}@example.com" for n in range(5)]

    # A unit moved under itself: a 409, typed.
    conflict = await update_unit.asyncio(client=api, unit_id=unit.id, body=models.UnitPatch(parent_id=unit.id))
    assert isinstance(conflict, models.Problem) and conflict.status == 409 and conflict.detail
    # A unit without a name: a 422, typed, that names the field.
    invalid = await create_unit.asyncio(client=api, body=models.UnitCreate(name="", kind=models.UnitCreateKind("team")))
    assert isinstance(invalid, models.Problem) and invalid.status == 422
    assert any(e.additional_properties.get("field") == "/name" for e in invalid.errors)
    # A duplicate email: a 409, typed.
    duplicate = await create_person.asyncio(
        client=api, body=models.PersonCreate(given_name="Ada", family_name="Again", email="ada0@example.com")
    )
    assert isinstance(duplicate, models.Problem) and duplicate.status == 409
