"""GraphiQL with its assets served by this service (no CDN), so that it works offline."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter

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
    const fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });
    const defaultHeaders = JSON.stringify(
      { Authorization: "Bearer <token from /v1/oauth/token or `liaison token`>" }, null, 2);
    const defaultQuery = "{\\n  viewer {\\n    scopes\\n    organization { id name slug }\\n  }\\n}\\n";
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultHeaders, headerEditorEnabled: true,
                                      shouldPersistHeaders: true, defaultEditorToolsVisibility: "headers" })
    );
  </script>
</body>
</html>
"""


class LiaisonGraphQLRouter(GraphQLRouter[Any, Any]):
    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(PAGE)
