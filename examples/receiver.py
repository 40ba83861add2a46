"""A webhook receiver for trying Liaison on one machine: verifies each delivery with the endpoint's secret
(Standard Webhooks), prints it, and acknowledges it.

    .venv/bin/python examples/receiver.py --port 9000 --secret whsec_…
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> None:
    parser = argparse.ArgumentParser(description="Print each verified Liaison webhook delivery.")
    parser.add_argument("--port", type=int, default=9000, help="the port to listen on, on 127.0.0.1")
    parser.add_argument("--secret", required=True, help="the endpoint's secret (whsec_…), shown on create")
    args = parser.parse_args()
    wh = Webhook(args.secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                message = wh.verify(body, {k.lower(): v for k, v in self.headers.items()})
            except WebhookVerificationError as exc:
                print(f"REFUSED: {exc}", flush=True)
                self.send_response(400)
            else:
                obj = message["data"].get("object", {})
                print(f"verified {message['type']} {self.headers['webhook-id']} {json.dumps(obj)[:120]}", flush=True)
                self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    print(f"listening on http://127.0.0.1:{args.port}/hook", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
