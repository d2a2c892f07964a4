#!/usr/bin/python3
"""The lab front end's /_status (runs on fe1 under runit; stdlib only).

The lab's stand-in for erchef's chef_wm_status behind nginx: GET /_status (or /_status/)
pings, in parallel, each upstream *through the back-end VIP*:

  chef_sql  PostgreSQL: `SHOW cluster_name` (a real query; the lab sets cluster_name to the
            serving back end's FQDN, returned as "served_by")
  redis_lb  Redis: PING

each bounded by PING_SECS times the lab's pace factor (erchef uses 400 ms; 1 s here, as the
guests run under TCG, where a whole healthy /_status request, TLS included, takes 230-450 ms). The answer is application/json:

  200 {"status":"pong","upstreams":{"chef_sql":"pong","redis_lb":"pong"},"served_by":"be1.lab.example"}
  500 {"status":"fail","upstreams":{"chef_sql":"fail","redis_lb":"pong"}}

("served_by" only when PostgreSQL answered). Any other path: 404. Serves HTTPS on 443 (the
certificate for chef.lab.example signed by the lab CA) and plain HTTP on 80.

  frontend-status.py [--cert CRT --key KEY] [--http PORT] [--https PORT] [--vip IP] [--log FILE]
"""
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from writer import VIP, Pg, PgError, Redis  # noqa: E402  (the writer's wire-protocol code)

PING_SECS = 1.0  # per upstream, on the reference machine
PACE_FILE = "/etc/lab/pace"  # the lab's pace factor (written at `lab up`)


def ping_timeout():
    """PING_SECS times the lab's pace factor: a slower machine gets proportionally longer."""
    try:
        with open(PACE_FILE) as f:
            pace = float(f.read().strip())
    except (OSError, ValueError):
        pace = 1.0
    return PING_SECS * min(max(pace, 1.0), 10.0)

OPTS = {"--cert": "/etc/opscode/lab-tls/server.crt", "--key": "/etc/opscode/lab-tls/server.key",
        "--http": "80", "--https": "443", "--vip": VIP, "--log": "/var/log/lab/frontend-status.log"}
_log_lock = threading.Lock()


def log(msg):
    with _log_lock:
        try:
            with open(OPTS["--log"], "a") as f:
                f.write("%.3f %s\n" % (time.time(), msg))
        except OSError:
            pass


def ping_sql(vip):
    pg = Pg(vip, timeout=ping_timeout())
    try:
        rows = pg.query("SHOW cluster_name")
        return rows[0][0] if rows and rows[0] else ""
    finally:
        pg.close()


def ping_redis(vip):
    rd = Redis(vip, timeout=ping_timeout())
    try:
        rd.send(Redis.enc("PING"))
        if rd.reply() != "PONG":
            raise ConnectionError("no PONG")
    finally:
        rd.close()


def check(vip):
    """Both pings in parallel, each bounded by ping_timeout(). Returns (http code, body dict)."""
    results = {}
    timeout = ping_timeout()

    def run(name, fn):
        try:
            results[name] = ("pong", fn(vip))
        except (OSError, PgError, ConnectionError, ValueError, IndexError) as e:
            results[name] = ("fail", str(e))

    threads = [threading.Thread(target=run, args=(n, f), daemon=True)
               for n, f in (("chef_sql", ping_sql), ("redis_lb", ping_redis))]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, timeout - (time.monotonic() - t0)))
    ups, served_by = {}, None
    for name in ("chef_sql", "redis_lb"):
        r = results.get(name, ("fail", "timeout"))
        ups[name] = r[0]
        if r[0] != "pong":
            log("%s fail: %s" % (name, r[1]))
        elif name == "chef_sql" and r[1]:
            served_by = r[1]
    ok = all(v == "pong" for v in ups.values())
    body = {"status": "pong" if ok else "fail", "upstreams": ups}
    if served_by:
        body["served_by"] = served_by
    return (200 if ok else 500), body


class Handler(BaseHTTPRequestHandler):
    server_version = "lab-frontend-status/1"
    timeout = 10

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in ("/_status", "/_status/"):
            code, body = check(OPTS["--vip"])
        else:
            code, body = 404, {"error": "not found"}
        data = (json.dumps(body, separators=(",", ":")) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        log("%s %s" % (self.client_address[0], fmt % args))


class TlsServer(ThreadingHTTPServer):
    """HTTPS: the handshake happens in the request's thread, not in the accept loop."""
    daemon_threads = True

    def __init__(self, addr, handler, ctx):
        self.ctx = ctx
        super().__init__(addr, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.settimeout(10)
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr


class PlainServer(ThreadingHTTPServer):
    daemon_threads = True


def main(argv):
    rest = argv[1:]
    while rest:
        if len(rest) < 2 or rest[0] not in OPTS:
            print(__doc__, file=sys.stderr)
            return 2
        OPTS[rest[0]] = rest[1]
        rest = rest[2:]
    os.makedirs(os.path.dirname(OPTS["--log"]), exist_ok=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(OPTS["--cert"], OPTS["--key"])
    servers = [PlainServer(("0.0.0.0", int(OPTS["--http"])), Handler),
               TlsServer(("0.0.0.0", int(OPTS["--https"])), Handler, ctx)]
    log("listening: http %s, https %s, upstreams via %s" % (OPTS["--http"], OPTS["--https"], OPTS["--vip"]))
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    servers[0].serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
