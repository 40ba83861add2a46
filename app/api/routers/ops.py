from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app.api.conventions import Json
from app.repo.migrate import current_revision

router = APIRouter(tags=["Operations"])


@router.get("/healthz", summary="Liveness: 200 while the process lives")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. No token, no database."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: 200 when the database answers and its schema is at head",
    responses={503: {"description": "Not ready"}},
)
async def readyz(request: Request) -> Json:
    """Readiness: the database answers and its schema is the one this code expects (503 otherwise)."""
    engine = request.app.state.db.engine
    head = request.app.state.schema_head
    try:
        async with asyncio.timeout(3):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            current = await current_revision(engine)
    except Exception as exc:  # any failure to reach the database means: not ready
        return Json({"status": "unavailable", "database": "unreachable", "error": type(exc).__name__}, status_code=503)
    if current != head:
        return Json({"status": "unavailable", "database": "ok", "schema": current, "expected": head}, status_code=503)
    return Json({"status": "ok", "database": "ok", "schema": current})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Liaison API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        oauth2_redirect_url="/docs/oauth2-redirect",
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True, "displayRequestDuration": True},
    )


@router.get("/docs/oauth2-redirect", include_in_schema=False)
async def docs_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()
