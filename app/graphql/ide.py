"""GraphiQL with its assets served by this service (no CDN), so that it works offline."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from strawberry.fastapi import GraphQLRouter

from app import jsonbody
from app.graphql.http import graphql_post
from app.graphql.schema import LiaisonSchema

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Liaison GraphQL</title>
  <link rel="stylesheet" href="/static/graphiql/graphiql.min.css">
  <style>body{margin:0;height:100vh}#graphiql{height:100vh}</style>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="/static/graphiql/react.production.min.js"></script>
  <script src="/static/graphiql/react-dom.production.min.js"></script>
  <script src="/static/graphiql/graphiql.min.js"></script>
  <script>
    // The schema (the documentation pane, completion) is fetched with the headers' token: it loads again
    // each time a new token is written there, so that a first visit, whose template holds none yet, is not
    // left with an empty documentation pane (a new fetcher makes GraphiQL fetch the schema again).
    const url = window.location.href.split("?")[0];
    const newFetcher = () => GraphiQL.createFetcher({ url });
    const defaultHeaders = JSON.stringify(
      { Authorization: "Bearer <token from /v1/oauth/token or `liaison token`>" }, null, 2);
    const defaultQuery = "{\\n  viewer {\\n    scopes\\n    organization { id name slug }\\n  }\\n}\\n";
    const TOKEN = /^Bearer\\s+[\\w-]+\\.[\\w-]+\\.[\\w-]+$/;
    function authorization(text) {
      try {
        const headers = JSON.parse(text || "{}");
        return String(headers.Authorization || headers.authorization || "").trim();
      } catch (e) {
        return "";  // headers still being typed
      }
    }
    function Console() {
      const [fetcher, setFetcher] = React.useState(newFetcher);
      const used = React.useRef(null);
      const onEditHeaders = React.useCallback((text) => {
        const value = authorization(text);
        if (TOKEN.test(value) && value !== used.current) {
          used.current = value;
          setFetcher(newFetcher);
        }
      }, []);
      return React.createElement(GraphiQL, { fetcher, defaultQuery, defaultHeaders, onEditHeaders,
        headerEditorEnabled: true, shouldPersistHeaders: true, defaultEditorToolsVisibility: "headers" });
    }
    ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Console));
  </script>
</body>
</html>
"""


class LiaisonGraphQLRouter(GraphQLRouter[Any, Any]):
    """strawberry's router, with its POST route (every query and mutation) on graphql-core directly
    (app.graphql.http). GET (GraphiQL, and queries by GET) keeps strawberry's own route."""

    def __init__(self, schema: LiaisonSchema, path: str = "", **kwargs: Any) -> None:
        super().__init__(schema, path, **kwargs)
        self.routes[:] = [r for r in self.routes if not (isinstance(r, APIRoute) and "POST" in (r.methods or ()))]

        async def handle_http_post(request: Request) -> Response:
            return await graphql_post(schema, request)

        self.add_api_route(path, handle_http_post, methods=["POST"], include_in_schema=False)

    async def get_sub_response(self, request: Request) -> Response:
        """A response of the request's own for the view to take headers and status from (strawberry's
        default keeps the last request's on the router, shared by concurrent requests). Empty, as
        FastAPI makes it for a route's `response` parameter: no status, and no Content-Length of its own."""
        response = Response()
        del response.headers["content-length"]
        response.status_code = None  # type: ignore[assignment]
        return response

    def decode_json(self, data: str | bytes) -> object:
        """As every transport reads JSON (app/jsonbody.py); its JSONDecodeError is the json module's, which the
        view answers with a 400."""
        return jsonbody.loads(data)

    def encode_json(self, data: object) -> bytes:
        return jsonbody.dumps(data)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(PAGE)
