"""liaison serve | migrate | orgs create | token."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from app.settings import Settings, get_settings


def _settings_with_secret(create: bool) -> Settings:
    from app.auth.secret import ensure_jwt_secret

    settings, path = ensure_jwt_secret(get_settings(), create=create)
    if path is not None:
        print(f"liaison: LIAISON_JWT_SECRET is not set; using the secret kept in {path}", file=sys.stderr)
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app
    from app.observability import configure_logging
    from app.repo.migrate import upgrade
    from app.server import limited_http_protocol

    settings = _settings_with_secret(create=True)
    configure_logging(settings.log_level, settings.log_json)
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


def cmd_worker(_args: argparse.Namespace) -> int:
    from app.observability import configure_logging
    from app.repo.migrate import upgrade
    from app.worker.delivery import run_worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if settings.auto_migrate:
        upgrade(settings.database_url)
    asyncio.run(run_worker(settings))
    return 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from app.repo.migrate import upgrade

    upgrade(get_settings().database_url)
    print("liaison: the database schema is at head", file=sys.stderr)
    return 0


def cmd_orgs_create(args: argparse.Namespace) -> int:
    from app.domain.errors import DomainError
    from app.domain.organizations.service import Organizations
    from app.domain.principal import PLATFORM_ADMIN, Principal
    from app.repo.engine import make_engine
    from app.repo.migrate import upgrade
    from app.repo.uow import Database

    settings = get_settings()
    if settings.auto_migrate:
        upgrade(settings.database_url)

    async def create() -> dict[str, object]:
        db = Database(make_engine(settings.database_url))
        try:
            async with db.unit_of_work(None, write=True) as uow:
                cli = Principal(subject="cli", organization_id=None, scopes=frozenset({PLATFORM_ADMIN}))
                org = await Organizations(uow, cli).create(args.name, args.slug, args.time_zone)
                await uow.commit()
                return org.resource()
        finally:
            await db.dispose()

    try:
        print(json.dumps(asyncio.run(create()), indent=2))
    except DomainError as exc:
        print(f"liaison: {exc.detail}", file=sys.stderr)
        return 1
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
    settings = _settings_with_secret(create=True)
    print(
        TokenService(settings).mint(
            subject=args.sub, organization_id=args.org, scopes=args.scope, ttl=args.ttl, person_id=args.person
        )
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="liaison", description="Liaison: a headless collaboration API.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the API and the webhook delivery worker")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--no-worker", action="store_true", help="run the API alone")
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="deliver webhooks only (run several for scale; they share the work)")
    w.set_defaults(func=cmd_worker)

    m = sub.add_parser("migrate", help="upgrade the database schema to head")
    m.set_defaults(func=cmd_migrate)

    o = sub.add_parser("orgs", help="manage organizations")
    osub = o.add_subparsers(dest="orgs_command", required=True)
    oc = osub.add_parser("create", help="create an organization and print it as JSON")
    oc.add_argument("--name", required=True)
    oc.add_argument("--slug", required=True)
    oc.add_argument("--time-zone", default="UTC", help="IANA time zone of the organization's day (default UTC)")
    oc.set_defaults(func=cmd_orgs_create)

    t = sub.add_parser("token", help="print a development token signed with LIAISON_JWT_SECRET")
    t.add_argument("--org", help="the organization id (omit only for platform:admin)")
    t.add_argument("--scope", required=True, help='space-separated scopes, e.g. "admin" or "org:read events:read"')
    t.add_argument("--person", help="a person id: the token then acts as that person")
    t.add_argument("--sub", default="dev", help="the token's subject")
    t.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    t.set_defaults(func=cmd_token)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
