#!/usr/bin/python3
"""Lab load writer with acknowledged writes (runs inside a guest; stdlib only).

  writer.py run DIR [--host H] [--first ID] [--batch N] [--pause SECS]
      One persistent PostgreSQL connection (wire protocol v3, trust auth) and one Redis
      connection to H (default the VIP). Each loop: one INSERT of BATCH rows with increasing
      ids (one statement = one transaction), then a pipeline of BATCH `SET k:<id> <id>` +
      `INCR lab:counter`. A unit is recorded in DIR only after it was acknowledged:
        DIR/pg.acked     "<lo> <hi>" per committed INSERT (CommandComplete + ReadyForQuery)
        DIR/redis.acked  "<id> <counter>" per acknowledged SET + INCR pair
        DIR/progress     "pg <rows> redis <keys> errors <n> t <unix time of last ack>"
      On any failure the connection is dropped and re-made (the in-flight unit is neither
      counted nor retried with the same ids). Stops when DIR/stop exists (then removes
      DIR/running). DIR must be on a tmpfs, not on the DRBD mount.
  writer.py verify DIR --host H
      Checks every acknowledged row and key on H. Prints
        pg acked=N present=N missing=M
        redis acked=N present=N missing=M counter=C max_acked_counter=X
      and exits 0 when nothing is missing (and the counter is not behind), 1 otherwise.
"""
import os
import socket
import struct
import sys
import time

VIP = "198.51.100.10"
TABLE = "lab_writes"


class PgError(Exception):
    pass


class Pg:
    def __init__(self, host, timeout=5.0):
        self.s = socket.create_connection((host, 5432), timeout=timeout)
        self.s.settimeout(timeout)
        self.buf = b""
        params = b"user\0postgres\0database\0postgres\0\0"
        self.s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        while True:
            t, body = self._msg()
            if t == b"R":
                if struct.unpack("!i", body[:4])[0] != 0:
                    raise PgError("authentication other than trust requested")
            elif t == b"E":
                raise PgError(self._err(body))
            elif t == b"Z":
                return

    def _recv(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise PgError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _msg(self):
        head = self._recv(5)
        n = struct.unpack("!i", head[1:5])[0]
        return head[:1], self._recv(n - 4)

    @staticmethod
    def _err(body):
        fields = {}
        for part in body.split(b"\0"):
            if part:
                fields[part[:1]] = part[1:].decode(errors="replace")
        return fields.get(b"M", "error")

    def query(self, sql):
        """Runs sql (simple protocol); returns the rows (lists of str/None). Raises on error."""
        data = sql.encode() + b"\0"
        self.s.sendall(b"Q" + struct.pack("!i", 4 + len(data)) + data)
        rows, err, complete = [], None, False
        while True:
            t, body = self._msg()
            if t == b"D":
                ncol = struct.unpack("!h", body[:2])[0]
                pos, row = 2, []
                for _ in range(ncol):
                    ln = struct.unpack("!i", body[pos:pos + 4])[0]
                    pos += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(body[pos:pos + ln].decode())
                        pos += ln
                rows.append(row)
            elif t == b"E":
                err = self._err(body)
            elif t == b"C":
                complete = True
            elif t == b"Z":
                if err is not None:
                    raise PgError(err)
                if not complete:
                    raise PgError("no CommandComplete")
                return rows

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Redis:
    def __init__(self, host, timeout=5.0):
        self.s = socket.create_connection((host, 6379), timeout=timeout)
        self.s.settimeout(timeout)
        self.f = self.s.makefile("rb")

    @staticmethod
    def enc(*args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        return out

    def reply(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest.decode()
        if t == b":":
            return int(rest)
        if t == b"-":
            raise ConnectionError("redis error: " + rest.decode())
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("connection closed")
            return data[:-2].decode()
        raise ConnectionError("unexpected reply %r" % line)

    def send(self, data):
        self.s.sendall(data)

    def close(self):
        try:
            self.f.close()
            self.s.close()
        except OSError:
            pass


_last = {}


def log(d, msg, kind=None):
    """Appends msg to DIR/writer.log; with kind, only when it differs from the last of that kind."""
    if kind is not None:
        if _last.get(kind) == msg:
            return
        _last[kind] = msg
    with open(os.path.join(d, "writer.log"), "a") as f:
        f.write("%.3f %s\n" % (time.time(), msg))


def run(d, host, first, batch, pause):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "running"), "w") as f:
        f.write("%d\n" % os.getpid())
    pg_ack = open(os.path.join(d, "pg.acked"), "a", buffering=1)
    rd_ack = open(os.path.join(d, "redis.acked"), "a", buffering=1)
    pg = rd = None
    pg_next = rd_next = first
    pg_rows = rd_keys = errors = 0
    last_ack = 0.0
    while not os.path.exists(os.path.join(d, "stop")):
        try:
            if pg is None:
                pg = Pg(host)
                pg.query("CREATE TABLE IF NOT EXISTS %s (id bigint PRIMARY KEY, at timestamptz DEFAULT now())" % TABLE)
                log(d, "pg connected")
                _last.pop("pg", None)
                _last.pop("pg_acked", None)
            lo, hi = pg_next, pg_next + batch - 1
            pg_next = hi + 1  # never reuse ids: an unacknowledged batch may have committed
            pg.query("INSERT INTO %s (id) SELECT generate_series(%d, %d)" % (TABLE, lo, hi))
            pg_ack.write("%d %d\n" % (lo, hi))
            if _last.get("pg_acked") is None:
                _last["pg_acked"] = True
                log(d, "pg first ack on this connection")
            pg_rows += batch
            last_ack = time.time()
        except (OSError, PgError) as e:
            errors += 1
            log(d, "pg error: %s" % e, "pg")
            if pg is not None:
                pg.close()
            pg = None
        try:
            if rd is None:
                rd = Redis(host)
                log(d, "redis connected")
                _last.pop("redis", None)
                _last.pop("redis_acked", None)
            ids = list(range(rd_next, rd_next + batch))
            rd_next += batch
            rd.send(b"".join(Redis.enc("SET", "k:%d" % i, i) + Redis.enc("INCR", "lab:counter") for i in ids))
            for i in ids:
                if rd.reply() != "OK":
                    raise ConnectionError("SET k:%d not OK" % i)
                c = rd.reply()
                rd_ack.write("%d %d\n" % (i, c))
                if _last.get("redis_acked") is None:
                    _last["redis_acked"] = True
                    log(d, "redis first ack on this connection")
                rd_keys += 1
                last_ack = time.time()
        except (OSError, ConnectionError, ValueError) as e:
            errors += 1
            log(d, "redis error: %s" % e, "redis")
            if rd is not None:
                rd.close()
            rd = None
        tmp = os.path.join(d, "progress.tmp")
        with open(tmp, "w") as f:
            f.write("pg %d redis %d errors %d t %.3f\n" % (pg_rows, rd_keys, errors, last_ack))
        os.rename(tmp, os.path.join(d, "progress"))
        if pg is None or rd is None:
            time.sleep(0.2)
        elif pause > 0:
            time.sleep(pause)
    log(d, "stopped")
    os.remove(os.path.join(d, "running"))


def verify(d, host):
    ranges = []
    with open(os.path.join(d, "pg.acked")) as f:
        for line in f:
            lo, hi = line.split()
            ranges.append((int(lo), int(hi)))
    acked = sum(hi - lo + 1 for lo, hi in ranges)
    present = 0
    pg = Pg(host, timeout=30)
    for i in range(0, len(ranges), 200):
        chunk = ranges[i:i + 200]
        values = ",".join("(%d,%d)" % r for r in chunk)
        rows = pg.query(
            "SELECT count(*) FROM %s l JOIN (VALUES %s) r(lo, hi) ON l.id BETWEEN r.lo AND r.hi" % (TABLE, values))
        present += int(rows[0][0])
    pg.close()
    ok = present == acked
    print("pg acked=%d present=%d missing=%d" % (acked, present, acked - present))
    keys = []
    with open(os.path.join(d, "redis.acked")) as f:
        for line in f:
            i, c = line.split()
            keys.append((int(i), int(c)))
    rd = Redis(host, timeout=30)
    present = 0
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        rd.send(b"".join(Redis.enc("GET", "k:%d" % k) for k, _ in chunk))
        for k, _ in chunk:
            if rd.reply() == str(k):
                present += 1
    rd.send(Redis.enc("GET", "lab:counter"))
    counter = int(rd.reply() or 0)
    rd.close()
    max_acked = max((c for _, c in keys), default=0)
    print("redis acked=%d present=%d missing=%d counter=%d max_acked_counter=%d"
          % (len(keys), present, len(keys) - present, counter, max_acked))
    ok = ok and present == len(keys) and counter >= max_acked
    return 0 if ok else 1


def main(argv):
    if len(argv) < 3 or argv[1] not in ("run", "verify"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, d = argv[1], argv[2]
    opts = {"--host": VIP, "--first": "1", "--batch": "50", "--pause": "0.1"}
    rest = argv[3:]
    while rest:
        if len(rest) < 2 or rest[0] not in opts:
            print("bad option %r" % rest[0], file=sys.stderr)
            return 2
        opts[rest[0]] = rest[1]
        rest = rest[2:]
    if mode == "run":
        run(d, opts["--host"], int(opts["--first"]), int(opts["--batch"]), float(opts["--pause"]))
        return 0
    return verify(d, opts["--host"])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
