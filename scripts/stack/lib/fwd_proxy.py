#!/usr/bin/env python3
"""A tiny forward proxy for the proxy tests (stdlib only).

  fwd_proxy.py --port 5006 [--host 127.0.0.1] [--base DIR]

  GET/HEAD/other http://host:port/path (absolute URI)  forwarded over a fresh connection to the
                                                      origin; the answer is relayed as is
                                                      (Connection: close)
  CONNECT host:port                                   200, then bytes are tunnelled both ways
  GET /_stats   (origin-form, i.e. asked of the proxy itself, not through it)
                -> {"requests": N, "forwarded": N, "connects": N, "last": ["GET http://...", ...]}
  POST /_stats/reset (or GET /_stats?reset=1)         zeroes the counters
Only proxied requests are counted (forwards and CONNECTs), never /_stats itself.
"""
import argparse, http.client, json, select, socket, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=5006)
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--base", default="")
args = ap.parse_args()

LOCK = threading.Lock()
STATS = {"requests": 0, "forwarded": 0, "connects": 0, "last": []}
HOP = {"connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate",
       "te", "trailer", "transfer-encoding", "upgrade"}


def count(kind, line):
    with LOCK:
        STATS["requests"] += 1
        STATS[kind] += 1
        STATS["last"] = (STATS["last"] + [line])[-20:]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % a))

    def reply_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def stats(self):
        u = urlsplit(self.path)
        if u.path == "/_stats/reset" or (u.path == "/_stats" and "reset=1" in u.query):
            with LOCK:
                STATS.update(requests=0, forwarded=0, connects=0, last=[])
            return self.reply_json(200, {"reset": True})
        if u.path == "/_stats":
            with LOCK:
                return self.reply_json(200, dict(STATS, last=list(STATS["last"])))
        return self.reply_json(404, {"error": "not a proxy request (absolute URI or CONNECT expected)"})

    def forward(self):
        if not self.path.startswith("http://"):
            return self.stats()
        count("forwarded", "%s %s" % (self.command, self.path))
        u = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        try:
            conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
            conn.request(self.command, (u.path or "/") + ("?" + u.query if u.query else ""), body=body, headers=headers)
            resp = conn.getresponse()
            data = b"" if self.command == "HEAD" else resp.read()
        except Exception as e:  # noqa: BLE001 — any origin failure is a 502
            return self.reply_json(502, {"error": str(e)})
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        if self.command == "HEAD":
            cl = resp.getheader("Content-Length")
            if cl is not None:
                self.send_header("Content-Length", cl)
        else:
            self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if data:
            self.wfile.write(data)
        self.close_connection = True
        conn.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = forward

    def do_CONNECT(self):
        count("connects", "CONNECT %s" % self.path)
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=30)
        except Exception as e:  # noqa: BLE001
            return self.reply_json(502, {"error": str(e)})
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        client = self.connection
        socks = [client, upstream]
        try:
            while True:
                r, _, x = select.select(socks, [], socks, 60)
                if x or not r:
                    break
                done = False
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        done = True
                        break
                    (upstream if s is client else client).sendall(data)
                if done:
                    break
        except OSError:
            pass
        finally:
            upstream.close()
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    srv = Server((args.host, args.port), Handler)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
