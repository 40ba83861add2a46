"""`make openapi`: write openapi/openapi.json, openapi/schema.graphql and docs/reference.md (scopes, event
types, settings) from the code, so that none of them can say something the code does not do."""

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


DOCS = Path(__file__).resolve().parents[1] / "docs"


def reference() -> str:
    """The scopes, the event catalogue and the settings, as the code defines them."""
    from app.domain.events import CATALOGUE
    from app.domain.principal import SCOPES

    lines = [
        "# Reference",
        "",
        "Generated from the code by `make openapi` (a test fails when it drifts): the scopes a token may hold,",
        "every event type with the kind of object its `data.object` is, and every setting with its default.",
        "",
        "## Scopes",
        "",
        "| scope | allows |",
        "|---|---|",
        *(f"| `{name}` | {what} |" for name, what in SCOPES.items()),
        "",
        "## Event types",
        "",
        "| type | object | when |",
        "|---|---|---|",
        *(f"| `{t.name}` | {t.resource} | {t.description} |" for t in CATALOGUE.values()),
        "",
        "## Settings",
        "",
        "Environment variables `LIAISON_<NAME>` (or a `.env` file in the working directory).",
        "",
        "| setting | default |",
        "|---|---|",
    ]
    defaults = Settings.model_fields
    for name, field in defaults.items():
        default = field.get_default(call_default_factory=False)
        shown = "(computed)" if field.default_factory is not None or name == "database_url" else f"`{default!r}`"
        lines.append(f"| `{name.upper()}` | {shown} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ROOT.mkdir(exist_ok=True)
    (ROOT / "openapi.json").write_text(render_openapi(openapi_document()))
    (ROOT / "schema.graphql").write_text(schema_sdl())
    DOCS.mkdir(exist_ok=True)
    (DOCS / "reference.md").write_text(reference())
    print(f"wrote {ROOT / 'openapi.json'}, {ROOT / 'schema.graphql'} and {DOCS / 'reference.md'}")


if __name__ == "__main__":
    main()
