"""liaison serve | worker | migrate | orgs create|list | api-clients create | token | demo.

Every command reads the same settings (LIAISON_* and a `.env` in the working directory), so each opens the
same database whatever directory it runs from: by default `liaison.db` in LIAISON_DATA_DIR
(~/.local/share/liaison). Only `serve`, `worker` and `migrate` make a database; the others refuse, and say
where they looked, rather than quietly make a new empty one."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from app.settings import Settings, get_settings


def _version() -> str:
    try:
        return version("liaison")
    except PackageNotFoundError:  # run from a source tree without an install
        return "unknown"


def _settings_with_secret(create: bool) -> Settings:
    from app.auth.secret import ensure_jwt_secret

    settings, path, made = ensure_jwt_secret(get_settings(), create=create)
    if path is not None:
        said = "made a new secret and kept it in" if made else "using the secret kept in"
        print(f"liaison: LIAISON_JWT_SECRET is not set; {said} {path}", file=sys.stderr)
    return settings


def _existing_database(settings: Settings) -> bool:
    """Whether the configured database is there to open (PostgreSQL: assumed; SQLite: its file exists)."""
    database = settings.sqlite_file
    if database is None or database.exists():
        return True
    print(
        f"liaison: no database at {database} (LIAISON_DATABASE_URL, or LIAISON_DATA_DIR={settings.data_dir});"
        " run `liaison migrate` (or `make run`) first, or point these settings at your database",
        file=sys.stderr,
    )
    return False


def _run(work: Any) -> Any:
    """Run `work(db)` against the configured database, migrated to head."""
    from app.repo.engine import make_engine
    from app.repo.migrate import upgrade
    from app.repo.uow import Database

    settings = get_settings()
    if settings.auto_migrate:
        upgrade(settings.database_url)

    async def go() -> Any:
        db = Database(make_engine(settings.database_url))
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app
    from app.observability import configure_logging
    from app.repo.migrate import upgrade
    from app.server import limited_http_protocol

    settings = _settings_with_secret(create=True)
    configure_logging(settings.log_level, settings.log_json)
    _make_data_dir(settings)
    if settings.auto_migrate:
        upgrade(settings.database_url)
    uvicorn.run(
        create_app(settings, with_worker=not args.no_worker),
        host=args.host,
        port=args.port,
        http=limited_http_protocol(settings.max_header_bytes, settings.header_timeout),
        log_config=None,
        proxy_headers=True,
        server_header=False,
    )
    return 0


def _make_data_dir(settings: Settings) -> None:
    if settings.sqlite_file is not None:
        settings.sqlite_file.parent.mkdir(parents=True, exist_ok=True)


def cmd_worker(_args: argparse.Namespace) -> int:
    from app.observability import configure_logging
    from app.repo.migrate import upgrade
    from app.worker.delivery import run_worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    _make_data_dir(settings)
    if settings.auto_migrate:
        upgrade(settings.database_url)
    asyncio.run(run_worker(settings))
    return 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from app.repo.migrate import upgrade

    settings = get_settings()
    _make_data_dir(settings)
    upgrade(settings.database_url)
    where = settings.sqlite_file or "the configured database"
    print(f"liaison: the database schema is at head ({where})", file=sys.stderr)
    return 0


def _platform() -> Any:
    from app.domain.principal import PLATFORM_ADMIN, Principal

    return Principal(subject="cli", organization_id=None, scopes=frozenset({PLATFORM_ADMIN}))


def cmd_orgs_create(args: argparse.Namespace) -> int:
    from app.domain.errors import DomainError
    from app.domain.organizations.service import Organizations

    if not _existing_database(get_settings()):
        return 2

    async def create(db: Any) -> dict[str, object]:
        async with db.unit_of_work(None, write=True) as uow:
            org = await Organizations(uow, _platform()).create(args.name, args.slug, args.time_zone)
            await uow.commit()
            return org.resource()

    try:
        print(json.dumps(_run(create), indent=2))
    except DomainError as exc:
        print(f"liaison: {exc.detail}", file=sys.stderr)
        return 1
    return 0


def cmd_orgs_list(_args: argparse.Namespace) -> int:
    from app.domain.model import ListQuery, every_page
    from app.domain.organizations.service import Organizations

    if not _existing_database(get_settings()):
        return 2

    async def listed(db: Any) -> list[dict[str, object]]:
        async with db.unit_of_work(None, write=False) as uow:
            organizations = await every_page(Organizations(uow, _platform()), ListQuery(limit=200))
        return [o.resource() for o in organizations]

    for org in _run(listed):
        print(f"{org['id']}\t{org['slug']}\t{org['time_zone']}\t{org['name']}")
    return 0


async def _organization_exists(db: Any, organization_id: str) -> bool:
    from app.domain.organizations.service import Organizations

    async with db.unit_of_work(None, write=False) as uow:
        try:
            await Organizations(uow, _platform()).get(organization_id)
        except Exception:  # NotFound, or an id no organization can have
            return False
    return True


def cmd_api_clients_create(args: argparse.Namespace) -> int:
    from app.domain.api_clients.service import ApiClients
    from app.domain.errors import DomainError
    from app.domain.principal import Principal

    if not _existing_database(get_settings()):
        return 2

    async def create(db: Any) -> dict[str, object] | None:
        if not await _organization_exists(db, args.org):
            return None
        admin = Principal(subject="cli", organization_id=args.org, scopes=frozenset({"admin"}))
        async with db.unit_of_work(args.org, write=True) as uow:
            client, secret = await ApiClients(uow, admin).create(args.name, args.scope.split(), {})
            await uow.commit()
            return {**client.resource(), "client_secret": secret}

    try:
        found = _run(create)
    except DomainError as exc:
        print(f"liaison: {exc.detail}", file=sys.stderr)
        return 1
    if found is None:
        print(f"liaison: no organization {args.org} (`liaison orgs list` shows them)", file=sys.stderr)
        return 2
    print(json.dumps(found, indent=2))
    print("liaison: the client_secret is shown this once; keep it now", file=sys.stderr)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from app.auth.tokens import TokenService
    from app.domain.principal import ALL_SCOPES

    unknown = [s for s in args.scope.split() if s not in ALL_SCOPES]
    if unknown:
        print(f"liaison: unknown scopes: {' '.join(unknown)}", file=sys.stderr)
        return 2
    if not args.org and "platform:admin" not in args.scope.split():
        print("liaison: --org is required except for platform:admin tokens", file=sys.stderr)
        return 2
    if args.org:
        if not _existing_database(get_settings()):
            return 2
        if not _run(lambda db: _organization_exists(db, args.org)):
            print(f"liaison: no organization {args.org} (`liaison orgs list` shows them)", file=sys.stderr)
            return 2
    settings = _settings_with_secret(create=True)
    print(
        TokenService(settings).mint(
            subject=args.sub, organization_id=args.org, scopes=args.scope, ttl=args.ttl, person_id=args.person
        )
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import seed

    settings = _settings_with_secret(create=True)
    _make_data_dir(settings)
    return seed(settings, args.name, args.slug, args.base_url)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="liaison", description="Liaison: a headless collaboration API.")
    p.add_argument("--version", action="version", version=f"liaison {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the API and the webhook delivery worker")
    s.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    s.add_argument("--no-worker", action="store_true", help="run the API alone (run `liaison worker` apart)")
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="deliver webhooks and run timed jobs (run several: they share the work)")
    w.set_defaults(func=cmd_worker)

    m = sub.add_parser("migrate", help="make the database if needed and upgrade its schema to head")
    m.set_defaults(func=cmd_migrate)

    o = sub.add_parser("orgs", help="manage organizations")
    osub = o.add_subparsers(dest="orgs_command", required=True)
    oc = osub.add_parser("create", help="create an organization and print it as JSON")
    oc.add_argument("--name", required=True, help="its display name, e.g. 'Acme Corp'")
    oc.add_argument("--slug", required=True, help="a short unique handle: lowercase letters, digits and dashes")
    oc.add_argument("--time-zone", default="UTC", help="IANA time zone of the organization's day (default UTC)")
    oc.set_defaults(func=cmd_orgs_create)
    ol = osub.add_parser("list", help="list the organizations: id, slug, time zone, name")
    ol.set_defaults(func=cmd_orgs_list)

    a = sub.add_parser("api-clients", help="manage API clients (machine integrations)")
    asub = a.add_subparsers(dest="api_clients_command", required=True)
    ac = asub.add_parser("create", help="create an API client; prints its id and its secret, once")
    ac.add_argument("--org", required=True, help="the organization's id (`liaison orgs list`)")
    ac.add_argument("--name", required=True, help="what the client is, e.g. 'SAP connector'")
    ac.add_argument("--scope", default="", help='space-separated scopes it may ask for, e.g. "org:read events:read"')
    ac.set_defaults(func=cmd_api_clients_create)

    t = sub.add_parser("token", help="print a development token signed with LIAISON_JWT_SECRET")
    t.add_argument("--org", help="the organization's id (omit only for platform:admin)")
    t.add_argument("--scope", required=True, help='space-separated scopes, e.g. "admin" or "org:read events:read"')
    t.add_argument("--person", help="a person's id: the token then acts as that person")
    t.add_argument("--sub", default="dev", help="the token's subject (default dev)")
    t.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    t.set_defaults(func=cmd_token)

    d = sub.add_parser("demo", help="seed a realistic organization to explore, and print a token and URLs")
    d.add_argument("--name", default="Northwind Demo", help="the demo organization's name")
    d.add_argument("--slug", default="northwind-demo", help="its slug (a second demo needs another one)")
    d.add_argument("--base-url", default="http://127.0.0.1:8000", help="where `liaison serve` answers")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
