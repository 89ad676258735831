#!/usr/bin/env python3
"""Minimal Docker/OCI registry token issuer for tests (stdlib + `openssl` CLI only).

  token_issuer.py --port 5003 --key key.pem --cert cert.pem --base BASEDIR
                  [--user unidesk --password s3cret-token]
                  [--service unidesk-registry --issuer unidesk-test-issuer]

Endpoints (all on 127.0.0.1):
  GET  /token?service=S&scope=repository:NAME:ACTIONS[&scope=...]   HTTP Basic auth required
       -> 200 {"token": JWT, "access_token": JWT, "expires_in": 300, "issued_at": RFC3339}
       -> 401 (with WWW-Authenticate: Basic) when the credentials are missing or wrong
  POST /token  (OAuth2 password grant, form: grant_type=password&username&password&service&scope)
       -> same JSON; 401 on bad credentials  (containerd/buildkit try this first)
  GET  /stats        -> {"tokens_issued": N, "requests": N, "denied": N, "last_scopes": [...]}
  POST /stats/reset  (or GET /stats?reset=1) -> zeroes the counters, answers the old values

The JWT is RS256-signed with KEY through `openssl dgst -sha256 -sign`; its header carries
both `x5c` (the issuer certificate, which distribution verifies against its rootcertbundle)
and `kid` (the libtrust key id of the same key, for clients/servers that match by kid).
Grants: every requested action in {pull, push, delete, *} on `repository:` scopes to the
valid user; `registry:catalog:*` too.  Anything else is dropped from the grant.
"""
import argparse, base64, hashlib, json, os, secrets, subprocess, sys, threading, time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=5003)
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--key", required=True)
ap.add_argument("--cert", required=True)
ap.add_argument("--base", default="", help="stack base dir (only used to tag the command line)")
ap.add_argument("--user", default="unidesk")
ap.add_argument("--password", default="s3cret-token")
ap.add_argument("--service", default="unidesk-registry")
ap.add_argument("--issuer", default="unidesk-test-issuer")
ap.add_argument("--ttl", type=int, default=300)
args = ap.parse_args()


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def der_of(pem_path: str, kind: str) -> bytes:
    if kind == "cert":
        cmd = ["openssl", "x509", "-in", pem_path, "-outform", "DER"]
    else:  # public key (SubjectPublicKeyInfo) of a private key
        cmd = ["openssl", "pkey", "-in", pem_path, "-pubout", "-outform", "DER"]
    return subprocess.run(cmd, check=True, capture_output=True).stdout


CERT_DER_B64 = base64.b64encode(der_of(args.cert, "cert")).decode()


def libtrust_kid(spki_der: bytes) -> str:
    # docker/libtrust keyIDFromCryptoKey: base32(sha256(SPKI DER)[:30]) in 12 groups of 4, joined by ':'
    s = base64.b32encode(hashlib.sha256(spki_der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))


KID = libtrust_kid(der_of(args.key, "pub"))
LOCK = threading.Lock()
STATS = {"tokens_issued": 0, "requests": 0, "denied": 0, "last_scopes": []}


def sign(signing_input: bytes) -> bytes:
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key], input=signing_input,
                          check=True, capture_output=True).stdout


def grant(scopes):
    access = []
    for scope in scopes:
        for one in scope.split(" "):  # a scope param may hold several space-separated scopes
            parts = one.split(":")
            if len(parts) < 3:
                continue
            typ, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            allowed = [a for a in actions.split(",") if a in ("pull", "push", "delete", "*")]
            if typ == "repository" and allowed:
                access.append({"type": "repository", "name": name, "actions": allowed})
            elif typ == "registry" and name == "catalog":
                access.append({"type": "registry", "name": "catalog", "actions": ["*"]})
    return access


def make_token(subject, scopes):
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": KID, "x5c": [CERT_DER_B64]}
    claims = {"iss": args.issuer, "sub": subject, "aud": args.service, "exp": now + args.ttl,
              "nbf": now - 10, "iat": now, "jti": secrets.token_hex(16), "access": grant(scopes)}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode())).encode()
    jwt = signing_input.decode() + "." + b64url(sign(signing_input))
    issued = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"token": jwt, "access_token": jwt, "expires_in": args.ttl, "issued_at": issued}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "unidesk-token-issuer/1"

    def log_message(self, fmt, *a):
        sys.stderr.write("%s %s\n" % (datetime.now().strftime("%H:%M:%S"), fmt % a))

    def send_json(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def basic_user(self):
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None
        try:
            user, _, pw = base64.b64decode(h[6:].strip()).decode().partition(":")
        except Exception:
            return None
        return user if (user == args.user and pw == args.password) else None

    def deny(self):
        with LOCK:
            STATS["denied"] += 1
        self.send_json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                       {"WWW-Authenticate": 'Basic realm="unidesk-token-issuer"'})

    def issue(self, user, q):
        service = (q.get("service") or [args.service])[0]
        if service != args.service:
            self.send_json(400, {"errors": [{"code": "DENIED", "message": "unknown service %r" % service}]})
            return
        scopes = q.get("scope", [])
        tok = make_token(user, scopes)
        with LOCK:
            STATS["tokens_issued"] += 1
            STATS["last_scopes"] = scopes
        self.send_json(200, tok)

    def stats(self, reset):
        with LOCK:
            snap = dict(STATS)
            if reset:
                STATS.update(tokens_issued=0, requests=0, denied=0, last_scopes=[])
        self.send_json(200, snap)

    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        if u.path == "/stats":
            return self.stats(q.get("reset", ["0"])[0] not in ("0", ""))
        if u.path == "/token":
            with LOCK:
                STATS["requests"] += 1
            user = self.basic_user()
            return self.issue(user, q) if user else self.deny()
        self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": u.path}]})

    def do_POST(self):
        u = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        if u.path == "/stats/reset":
            return self.stats(True)
        if u.path == "/token":
            with LOCK:
                STATS["requests"] += 1
            form = parse_qs(body)
            user = self.basic_user()
            if not user and (form.get("grant_type") or [""])[0] == "password":
                if (form.get("username") or [""])[0] == args.user and (form.get("password") or [""])[0] == args.password:
                    user = args.user
            return self.issue(user, form) if user else self.deny()
        self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": u.path}]})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # default 5: concurrent clients would hit SYN retries (1 s stalls)


if __name__ == "__main__":
    srv = Server((args.host, args.port), Handler)
    sys.stderr.write("token issuer on %s:%d kid=%s\n" % (args.host, args.port, KID))
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
