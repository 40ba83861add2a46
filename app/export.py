"""`make openapi`: write openapi/openapi.json and openapi/schema.graphql from the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.graphql.schema import schema_sdl
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1] / "openapi"


def openapi_document() -> dict[str, Any]:
    from app.main import create_app

    doc: dict[str, Any] = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
    return doc


def render_openapi(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def main() -> None:
    ROOT.mkdir(exist_ok=True)
    (ROOT / "openapi.json").write_text(render_openapi(openapi_document()))
    (ROOT / "schema.graphql").write_text(schema_sdl())
    print(f"wrote {ROOT / 'openapi.json'} and {ROOT / 'schema.graphql'}")


if __name__ == "__main__":
    main()
