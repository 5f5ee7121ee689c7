#!/usr/bin/python3
"""A plain-HTTP proxy in front of a fixture registry that misbehaves on purpose, for the client's
error paths: it cuts a blob's body mid-way, ignores Range, answers an error status, or redirects
blob GETs (to itself, or to a second listener on another host:port that plays a CDN).

Only GETs of /v2/NAME/blobs/DIGEST are touched; everything else is forwarded as it is.
Every request is logged to --log as one JSON line: the listener ("first"/"second"), the method,
the path and the request headers. The port file gets "PORT [SECOND_PORT]".

Options:
  --upstream HOST:PORT [--upstream-tls]    the registry (TLS not verified: it is our own)
  --cut-after N [--cut-count K]            the first K blob responses (default 1) stop after N
                                           body bytes: the connection is closed mid-body
  --ignore-range                           blob requests lose their Range header (a 200 comes back)
  --fail-status CODE                       blob GETs get CODE with a registry error body
  --redirect relative|other-host           blob GETs get 307: to /_redirected/... here, or to
                                           http://localhost:SECOND/... (the second listener)
  --second-auth USER:PASS                  what the second listener sends upstream (it has its own
                                           access, as a CDN's signed URL would)
  --tamper-manifest big|digest             manifest GETs get a 5 MiB body (Content-Length says so),
                                           or a Docker-Content-Digest that is not the body's
  --require-scope SCOPE --realm R --service S
                                           manifest requests whose Bearer token (a JWT, read not
                                           verified) lacks SCOPE ("repository:NAME:ACTION") get
                                           401 with a challenge for SCOPE, error="insufficient_scope",
                                           as a registry answers a cross-repository request
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import re
import ssl
import threading

BLOB = re.compile(r"^/v2/.+/blobs/[a-z0-9]+:[a-f0-9]+$")
MANIFEST = re.compile(r"^/v2/.+/manifests/[^/]+$")


def token_grants(authorization, scope):
    """Whether a Bearer JWT's access claim covers "repository:NAME:ACTION"."""
    if not authorization or not authorization.startswith("Bearer "):
        return False
    kind, name, action = scope.split(":")
    try:
        payload = authorization[7:].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except Exception:
        return False
    return any(a.get("type") == kind and a.get("name") == name and action in a.get("actions", [])
               for a in claims.get("access", []))
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
       "upgrade", "host"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--upstream-tls", action="store_true")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--cut-after", type=int)
    p.add_argument("--cut-count", type=int, default=1)
    p.add_argument("--ignore-range", action="store_true")
    p.add_argument("--fail-status", type=int)
    p.add_argument("--redirect", choices=["relative", "other-host"])
    p.add_argument("--second-auth")
    p.add_argument("--tamper-manifest", choices=["big", "digest"])
    p.add_argument("--require-scope")
    p.add_argument("--realm")
    p.add_argument("--service")
    args = p.parse_args()
    if args.require_scope and not (args.realm and args.service):
        p.error("--require-scope needs --realm and --service")

    lock = threading.Lock()
    state = {"cuts": 0}
    second_port = [0]

    def upstream_connection():
        host, port = args.upstream.rsplit(":", 1)
        if args.upstream_tls:
            return http.client.HTTPSConnection(host, int(port), timeout=60,
                                               context=ssl._create_unverified_context())
        return http.client.HTTPConnection(host, int(port), timeout=60)

    def make_handler(listener):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *a):
                pass

            def record(self):
                with lock, open(args.log, "a") as f:
                    f.write(json.dumps({"listener": listener, "method": self.command,
                                        "path": self.path, "headers": dict(self.headers.items())}) + "\n")

            def answer(self, status, headers, body=b""):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def forward(self, path, drop_range=False, extra_auth=None):
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                if drop_range:
                    headers.pop("Range", None)
                if extra_auth is not None:
                    headers["Authorization"] = extra_auth
                length = int(self.headers.get("Content-Length", "0") or 0)
                body = self.rfile.read(length) if length else None
                conn = upstream_connection()
                conn.request(self.command, path, body=body, headers=headers)
                resp = conn.getresponse()
                cut = None
                is_blob_get = self.command == "GET" and BLOB.match(path.split("?")[0])
                if is_blob_get and args.cut_after is not None and resp.status in (200, 206):
                    with lock:
                        if state["cuts"] < args.cut_count:
                            state["cuts"] += 1
                            cut = args.cut_after
                self.send_response(resp.status)
                chunked = resp.getheader("Content-Length") is None and self.command != "HEAD" \
                    and resp.status not in (204, 304)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP:
                        self.send_header(k, v)
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                sent = 0
                while self.command != "HEAD":
                    chunk = resp.read(16384)
                    if not chunk:
                        break
                    if cut is not None and sent + len(chunk) >= cut:
                        self.wfile.write(chunk[: cut - sent])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)
                        conn.close()
                        return
                    if chunked:
                        self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                    else:
                        self.wfile.write(chunk)
                    sent += len(chunk)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
                conn.close()

            def tampered_manifest(self, path):
                conn = upstream_connection()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                out = [(k, v) for k, v in resp.getheaders()
                       if k.lower() not in HOP and k.lower() != "content-length"]
                if resp.status == 200 and args.tamper_manifest == "big":
                    body = body[:-1] + b"," + b'"x":"' + b"a" * (5 << 20) + b'"}'
                elif resp.status == 200:
                    out = [(k, v) for k, v in out if k.lower() != "docker-content-digest"]
                    out.append(("Docker-Content-Digest", "sha256:" + "1" * 64))
                self.answer(resp.status, out, body)

            def handle_request(self):
                self.record()
                path = self.path
                if listener == "second":
                    auth = None
                    if args.second_auth:
                        auth = "Basic " + base64.b64encode(args.second_auth.encode()).decode()
                    return self.forward(path, extra_auth=auth)
                if path.startswith("/_redirected/"):
                    return self.forward(path[len("/_redirected"):], drop_range=args.ignore_range)
                blob_get = self.command == "GET" and BLOB.match(path.split("?")[0])
                if (args.require_scope and MANIFEST.match(path.split("?")[0])
                        and not token_grants(self.headers.get("Authorization"), args.require_scope)):
                    challenge = 'Bearer realm="%s",service="%s",scope="%s",error="insufficient_scope"' % (
                        args.realm, args.service, args.require_scope)
                    body = json.dumps({"errors": [{"code": "DENIED", "message": "requested access to the resource is denied",
                                                   "detail": None}]}).encode()
                    return self.answer(401, [("Content-Type", "application/json"),
                                             ("WWW-Authenticate", challenge)], body)
                if args.tamper_manifest and self.command == "GET" and MANIFEST.match(path.split("?")[0]):
                    return self.tampered_manifest(path)
                if blob_get and args.fail_status:
                    body = json.dumps({"errors": [{"code": "UNKNOWN",
                                                   "message": "injected failure by cut-proxy",
                                                   "detail": None}]}).encode()
                    return self.answer(args.fail_status, [("Content-Type", "application/json")], body)
                if blob_get and args.redirect == "relative":
                    return self.answer(307, [("Location", "/_redirected" + path)])
                if blob_get and args.redirect == "other-host":
                    return self.answer(307, [("Location", f"http://localhost:{second_port[0]}{path}")])
                self.forward(path, drop_range=blob_get and args.ignore_range)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_request

        return Handler

    first = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler("first"))
    first.daemon_threads = True
    ports = [str(first.server_address[1])]
    if args.redirect == "other-host":
        second = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler("second"))
        second.daemon_threads = True
        second_port[0] = second.server_address[1]
        ports.append(str(second_port[0]))
        threading.Thread(target=second.serve_forever, daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(ports) + "\n")
    os.rename(tmp, args.port_file)
    first.serve_forever()


if __name__ == "__main__":
    main()
