#!/usr/bin/python3
"""The token service of the `token` registry fixture (docker-registry's auth.token).

Serves GET /token as docker-registry's token spec says (spec/auth/token.md) and POST /token as
its OAuth2 spec (spec/auth/oauth.md) for refresh tokens. Tokens are ES256 JWTs whose header
carries the signing certificate in x5c; the registry trusts it through `rootcertbundle`.

Who gets what:
- Basic auth with the user and password given here: pull and push on every requested repository.
- A wrong user or password: 401.
- Anonymous: pull only, and only on repositories under "public/".
- offline_token=true with good credentials adds a refresh_token; POST grant_type=refresh_token
  with it acts as the user, grant_type=password with the password too.

Every request is appended to --log as one JSON line (path, query, whether Authorization was sent),
so tests can see what a client asked for.

Usage: token-server.py --cert C --key K --sign-cert C --sign-key K --issuer I --service S
                       --user U --password P --port-file F --log L
"""
import argparse
import base64
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    def __init__(self, cert_path, key_path, issuer, service):
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        self.x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        self.issuer = issuer
        self.service = service

    def token(self, subject, access, lifetime):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": [self.x5c]}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service, "exp": now + lifetime,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        der = self.key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        # JWS wants the raw r||s, 32 bytes each for P-256, not DER.
        return signing_input.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def parse_scopes(values):
    """repository:NAME:ACTIONS entries, each possibly several space-separated ones."""
    scopes = []
    for value in values:
        for item in value.split(" "):
            parts = item.split(":")
            if len(parts) < 3:
                continue
            kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            scopes.append((kind, name, [a for a in actions.split(",") if a]))
    return scopes


def make_handler(args, signer):
    refresh_tokens = set()
    log_lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def record(self, query, authorized):
            with log_lock, open(args.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path.split("?")[0],
                                    "query": query, "authorization": authorized}) + "\n")

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="roost-test-token"')
            self.end_headers()
            self.wfile.write(data)

        def basic_user(self):
            """None: anonymous; False: bad credentials; else the user name."""
            header = self.headers.get("Authorization")
            if not header:
                return None
            if not header.startswith("Basic "):
                return False
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except Exception:
                return False
            if user == args.user and password == args.password:
                return user
            return False

        def grant(self, user, scopes):
            access = []
            for kind, name, actions in scopes:
                if kind != "repository":
                    continue
                if user:
                    allowed = [a for a in actions if a in ("pull", "push", "delete", "*")]
                elif name.startswith("public/"):
                    allowed = [a for a in actions if a == "pull"]
                else:
                    allowed = []
                if allowed:
                    access.append({"type": "repository", "name": name, "actions": allowed})
            return access

        def issue(self, user, scopes, offline):
            lifetime = args.lifetime
            body = {"token": signer.token(user or "", self.grant(user, scopes), lifetime),
                    "expires_in": lifetime,
                    "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            body["access_token"] = body["token"]
            if offline and user:
                refresh = uuid.uuid4().hex
                refresh_tokens.add(refresh)
                body["refresh_token"] = refresh
            self.reply(200, body)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            self.record(query, "Authorization" in self.headers)
            if url.path != "/token":
                return self.reply(404, {"error": "not found"})
            if query.get("service", [""])[0] != args.service:
                return self.reply(400, {"error": "unknown service"})
            user = self.basic_user()
            if user is False:
                return self.reply(401, {"details": "invalid username or password"})
            account = query.get("account", [None])[0]
            if user and account is not None and account != user:
                return self.reply(401, {"details": "account does not match the credentials"})
            self.issue(user, parse_scopes(query.get("scope", [])),
                       query.get("offline_token", ["false"])[0] == "true")

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            self.record(form, "Authorization" in self.headers)
            if url.path != "/token":
                return self.reply(404, {"error": "not found"})
            grant_type = form.get("grant_type", [""])[0]
            if form.get("service", [""])[0] != args.service:
                return self.reply(400, {"error": "unknown service"})
            if grant_type == "refresh_token":
                if form.get("refresh_token", [""])[0] not in refresh_tokens | {args.identity_token}:
                    return self.reply(401, {"error": "invalid_grant"})
                user = args.user
            elif grant_type == "password":
                if (form.get("username", [""])[0], form.get("password", [""])[0]) != (args.user, args.password):
                    return self.reply(401, {"error": "invalid_grant"})
                user = args.user
            else:
                return self.reply(400, {"error": "unsupported_grant_type"})
            self.issue(user, parse_scopes(form.get("scope", [])),
                       form.get("access_type", [""])[0] == "offline")

    return Handler


def main():
    p = argparse.ArgumentParser()
    for name in ("cert", "key", "sign-cert", "sign-key", "issuer", "service", "user", "password",
                 "port-file", "log"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--identity-token", default="", help="a refresh token accepted from the start")
    p.add_argument("--lifetime", type=int, default=300)
    args = p.parse_args()
    if not args.identity_token:
        args.identity_token = uuid.uuid4().hex  # never matched by chance

    signer = Signer(args.sign_cert, args.sign_key, args.issuer, args.service)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args, signer))
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
