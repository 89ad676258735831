#!/usr/bin/env python3
"""A misbehaving registry-like server for the registry client's error paths (stdlib only).

  bad_registry.py --port 5004 --manifest Tests/fixtures/registry/bad-manifest.json [--base DIR]

  GET/HEAD /v2/                               200 {} (Docker-Distribution-API-Version: registry/2.0)
  /v2/ratelimited/manifests/*                 429 + RateLimit-Limit: 100;w=21600, RateLimit-Remaining: 0,
                                                    Retry-After: 30
  /v2/broken/manifests/*                      503
  /v2/stall/manifests/*                       reads the request, then sends nothing for 60 s and closes
  /v2/malformed/manifests/*                   raw garbage: an invalid status line, then closes
  /v2/badheader/manifests/*                   valid status line followed by a garbage header line
  /v2/nohead/manifests/*                      HEAD 405; GET 200 + OCI manifest body, NO Docker-Content-Digest
  /v2/nodigest/manifests/*                    HEAD 200 without Docker-Content-Digest; GET 200 + body (no digest)
  /v2/forbidden/manifests/*                   403 DENIED
  /v2/refuseall/manifests/*                   HEAD and GET 405 (a server that never answers a manifest)
  GET /redirect/N                             302 to /redirect/N-1; /redirect/0 answers 200 {"redirected": true}
  anything else under /v2/                    404 MANIFEST_UNKNOWN / NAME_UNKNOWN
  GET /_stats                                 {"requests": {"HEAD /v2/broken/manifests/v1": 3, ...}}
  POST /_stats/reset (or GET /_stats?reset=1) zeroes the request counters
Threaded: a stalled request never blocks the others.
"""
import argparse, json, re, sys, threading, time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=5004)
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--manifest", required=True)
ap.add_argument("--base", default="")
ap.add_argument("--stall", type=float, default=60.0)
args = ap.parse_args()

MANIFEST = open(args.manifest, "rb").read()
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
LOCK = threading.Lock()
COUNTS = {}
ROUTE = re.compile(r"^/v2/(?P<name>.+?)/manifests/(?P<ref>[^/]+)$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "unidesk-bad-registry/1"

    def log_message(self, fmt, *a):
        sys.stderr.write("%s %s\n" % (datetime.now().strftime("%H:%M:%S"), fmt % a))

    def reply(self, code, body=b"", headers=None, content_type="application/json"):
        self.send_response(code)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def err(self, code, ecode, msg, headers=None):
        body = json.dumps({"errors": [{"code": ecode, "message": msg}]}).encode()
        self.reply(code, body, headers)

    def raw(self, data: bytes):
        self.close_connection = True
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            pass

    def handle_any(self):
        u = urlsplit(self.path)
        if u.path == "/_stats":
            with LOCK:
                snap = dict(COUNTS)
                if parse_qs(u.query).get("reset", ["0"])[0] not in ("0", "") or self.command == "POST":
                    COUNTS.clear()
            return self.reply(200, json.dumps({"requests": snap}).encode())
        if u.path == "/_stats/reset":
            with LOCK:
                snap = dict(COUNTS)
                COUNTS.clear()
            return self.reply(200, json.dumps({"requests": snap}).encode())
        with LOCK:
            key = "%s %s" % (self.command, u.path)
            COUNTS[key] = COUNTS.get(key, 0) + 1
        if u.path in ("/v2", "/v2/"):
            return self.reply(200, b"{}")
        r = re.match(r"^/redirect/(\d+)$", u.path)
        if r:
            n = int(r.group(1))
            if n == 0:
                return self.reply(200, b'{"redirected": true}')
            self.send_response(302)
            self.send_header("Location", "/redirect/%d" % (n - 1))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        m = ROUTE.match(u.path)
        if not m:
            return self.err(404, "NAME_UNKNOWN", "repository name not known to registry")
        name = m.group("name")
        head = self.command == "HEAD"
        if name == "ratelimited":
            return self.err(429, "TOOMANYREQUESTS", "You have reached your pull rate limit.",
                            {"RateLimit-Limit": "100;w=21600", "RateLimit-Remaining": "0", "Retry-After": "30"})
        if name == "forbidden":
            return self.err(403, "DENIED", "requested access to the resource is denied")
        if name == "refuseall":
            return self.err(405, "UNSUPPORTED", "method not allowed")
        if name == "broken":
            return self.err(503, "UNAVAILABLE", "service unavailable")
        if name == "stall":
            time.sleep(args.stall)
            self.close_connection = True
            return
        if name == "malformed":
            return self.raw(b"HTTX/9.9 2OO \x00\xff\xfe totally not http\r\n\x01\x02garbage\r\n\r\n")
        if name == "badheader":
            return self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            b"this is not a header line\x00\xff\r\n: \r\nContent-Length: 2\r\n\r\n{}")
        if name == "nohead":
            if head:
                return self.err(405, "UNSUPPORTED", "HEAD not allowed", {"Allow": "GET"})
            return self.reply(200, MANIFEST, content_type=OCI_MANIFEST)
        if name == "nodigest":
            # HEAD: same headers as GET (incl. Content-Length), but no Docker-Content-Digest
            return self.reply(200, MANIFEST, content_type=OCI_MANIFEST)
        return self.err(404, "MANIFEST_UNKNOWN", "manifest unknown")

    def do_GET(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self.handle_any()

    do_PUT = do_POST
    do_DELETE = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # default 5: concurrent clients would hit SYN retries (1 s stalls)


if __name__ == "__main__":
    srv = Server((args.host, args.port), Handler)
    sys.stderr.write("bad registry on %s:%d\n" % (args.host, args.port))
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
