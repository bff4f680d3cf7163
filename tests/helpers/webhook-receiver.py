#!/usr/bin/python3
"""webhook-receiver.py - a webhook receiver for the tests, on 127.0.0.1.

  serve PORTFILE LOGFILE [CERT KEY]
                           listen on a free port (written to PORTFILE) and
                           log every request as one JSON line to LOGFILE;
                           with CERT and KEY (PEM files) over TLS.
      The path picks the answer:
        /ok            200                /fail      500, always
        /flaky         500 twice, then 200 (counted per path)
        /gone          410                /redirect  302 to /ok
        /bad           400                /busy      429 Retry-After: 1, then 200
        /hang          never answers (60 s)
        /slow/SECONDS  waits, then 200
  count LOGFILE [PATH]     how many requests (to PATH) were logged
  show LOGFILE N           request N's body: one "key type value" line each
  header LOGFILE N NAME    request N's header NAME
  verify SECRET LOGFILE N  checks request N's webhook-signature with
                           Python's own hmac (exit 0 valid, 1 invalid)
"""
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


class Server(ThreadingHTTPServer):
    # listen(5) by default: a burst of webhooks overflows it, a dropped
    # SYN is resent after 1 s, and a 1 s webhook_timeout then fails a try
    # the receiver never saw
    request_queue_size = 128


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, headers=()):
        body = b'{"ok":true}' if code == 200 else b"nope"
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            seen = counts[self.path]
            rec = {"t": time.time(), "method": "POST", "path": self.path,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body}
            with open(self.server.logfile, "a") as f:
                f.write(json.dumps(rec) + "\n")
        p = self.path
        if p == "/fail":
            self.answer(500)
        elif p == "/flaky":
            self.answer(500 if seen <= 2 else 200)
        elif p == "/gone":
            self.answer(410)
        elif p == "/redirect":
            self.answer(302, [("Location", "/ok")])
        elif p == "/bad":
            self.answer(400)
        elif p == "/busy":
            if seen == 1:
                self.answer(429, [("Retry-After", "1")])
            else:
                self.answer(200)
        elif p == "/hang":
            time.sleep(60)
        elif p.startswith("/slow/"):
            time.sleep(float(p[6:]))
            self.answer(200)
        else:
            self.answer(200)

    do_GET = do_POST


def serve(portfile, logfile, cert=None, key=None):
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.logfile = logfile
    open(logfile, "a").close()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


def records(logfile):
    with open(logfile) as f:
        return [json.loads(line) for line in f if line.strip()]


def typename(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return type(v).__name__


def verify(secret, rec):
    h = rec["headers"]
    key = secret[6:] if secret.startswith("whsec_") else secret
    key = base64.b64decode(key)
    signed = "%s.%s.%s" % (h["webhook-id"], h["webhook-timestamp"],
                           rec["body"])
    mac = hmac.new(key, signed.encode(), hashlib.sha256).digest()
    want = base64.b64encode(mac).decode()
    for sig in h.get("webhook-signature", "").split():
        ver, _, val = sig.partition(",")
        if ver == "v1" and hmac.compare_digest(val, want):
            return True
    return False


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "serve":
        serve(*argv[2:6])
    elif cmd == "count":
        rs = records(argv[2])
        if len(argv) > 3:
            rs = [r for r in rs if r["path"] == argv[3]]
        print(len(rs))
    elif cmd == "show":
        body = json.loads(records(argv[2])[int(argv[3])]["body"])
        for k, v in body.items():
            print(k, typename(v), json.dumps(v))
    elif cmd == "header":
        print(records(argv[2])[int(argv[3])]["headers"].get(argv[4].lower(), ""))
    elif cmd == "verify":
        return 0 if verify(argv[2], records(argv[3])[int(argv[4])]) else 1
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (IndexError, KeyError, ValueError) as e:
        sys.stderr.write("webhook-receiver.py: %r\n" % (e,))
        sys.exit(1)
