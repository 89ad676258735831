#!/usr/bin/env python3
"""Webhook receiver for tests (stdlib only): records every request, answers as told.

  webhook.py --base BASEDIR        listens on 127.0.0.1, a free port chosen by the kernel,
                                   written to BASEDIR/port once listening

Every request except to /_requests is recorded as one JSON line in BASEDIR/requests.jsonl:
  {"method", "path" (with the query), "headers": [[name, value], ...], "body" (text, utf-8
   with replacement)}
  GET /_requests          -> 200, a JSON array of the recorded requests, oldest first
  POST /_requests/reset   -> 200, forgets them
Any other request answers 200 {"ok": true, "n": N} unless its query says otherwise:
  ?status=503             answer that status ...
  &times=2                ... to the first 2 requests with this same path and query (default: all)
  &retry_after=1          with a Retry-After header of that value
"""
import argparse, json, os, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ap = argparse.ArgumentParser()
ap.add_argument("--base", required=True)
args = ap.parse_args()
LOG = os.path.join(args.base, "requests.jsonl")
lock = threading.Lock()
seen = {}  # path with query -> requests so far


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def answer(self, status, obj, extra=()):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        url = urlsplit(self.path)
        if url.path == "/_requests" and self.command == "GET":
            with lock:
                rows = [json.loads(l) for l in open(LOG)] if os.path.exists(LOG) else []
            return self.answer(200, rows)
        if url.path == "/_requests/reset" and self.command == "POST":
            with lock:
                open(LOG, "w").close()
                seen.clear()
            return self.answer(200, {"ok": True})
        row = {"method": self.command, "path": self.path, "headers": [[k, v] for k, v in self.headers.items()],
               "body": body.decode("utf-8", "replace")}
        with lock:
            with open(LOG, "a") as f:
                f.write(json.dumps(row) + "\n")
            seen[self.path] = seen.get(self.path, 0) + 1
            count = seen[self.path]
        q = parse_qs(url.query)
        status = int(q.get("status", ["200"])[0])
        times = int(q["times"][0]) if "times" in q else None
        if times is not None and count > times:
            status = 200
        extra = []
        if status != 200 and "retry_after" in q:
            extra.append(("Retry-After", q["retry_after"][0]))
        self.answer(status, {"ok": status < 400, "n": count}, extra)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = os.path.join(args.base, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, os.path.join(args.base, "port"))
server.serve_forever()
