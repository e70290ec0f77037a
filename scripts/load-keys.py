#!/usr/bin/env python3
"""Load, or verify, N small deterministic keys spread over all 16384 slots of a Redis Cluster.

Key i is `key:<i>` (no hash tag, so the keys spread over every slot); its value is 16 bytes,
`%016x` of a multiplicative hash of i. The slot of each key is CRC16/XMODEM (binascii.crc_hqx,
the same CRC as redis' table-driven crc16; checked against CLUSTER KEYSLOT at start) mod 16384.
Keys are grouped by the master that owns their slot (from CLUSTER SLOTS) and written or read
over one pipelined connection per master, masters in parallel. Standard library only.

  load-keys.py load   --port P --keys N      SET every key on its master; checks every reply
  load-keys.py verify --port P --keys N      GET every key from the master owning its slot now
                                             and compare each reply with the expected value
                                             (exit 1 on a missing, moved or changed key)

`verify` proves that every loaded key is served by its slot's owner with its original value;
together with "sum of DBSIZE over masters == N" it proves the data set is exactly unchanged.
"""
import argparse
import binascii
import socket
import sys
import threading
import time

CHUNK = 20000  # commands per pipelined round trip


def key(i):
    return b"key:%d" % i


def value(i):
    return b"%016x" % ((i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF)


def slot(k):
    return binascii.crc_hqx(k, 0) & 16383


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rf = self.sock.makefile("rb")

    def cmd(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.rf.readline()
        if not line.endswith(b"\r\n"):
            raise IOError("connection closed")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.rf.read(n + 2)
            return data[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise IOError("bad reply %r" % line)

    def read_exact(self, n):
        data = self.rf.read(n)
        if len(data) != n:
            raise IOError("connection closed")
        return data


def owners(port):
    """slot -> (host, port) of its master, from CLUSTER SLOTS of 127.0.0.1:port."""
    c = Conn("127.0.0.1", port)
    table = [None] * 16384
    for entry in c.cmd("CLUSTER", "SLOTS"):
        lo, hi, master = entry[0], entry[1], entry[2]
        host = master[0].decode() or "127.0.0.1"
        for s in range(lo, hi + 1):
            table[s] = (host, master[1])
    missing = sum(1 for t in table if t is None)
    if missing:
        sys.exit("load-keys: %d slots have no owner" % missing)
    # Our slot function must be redis' own.
    for i in (0, 1, 12345, 999999):
        k = key(i)
        if c.cmd("CLUSTER", "KEYSLOT", k) != slot(k):
            sys.exit("load-keys: CRC16 slot of %r differs from CLUSTER KEYSLOT" % k)
    return table


def group(n, table):
    by_node = {}
    for i in range(n):
        k = key(i)
        by_node.setdefault(table[slot(k)], []).append(i)
    return by_node


def run_parallel(fn, by_node):
    errors = []

    def wrap(node, ids):
        try:
            fn(node, ids)
        except Exception as e:  # reported below, exit 1
            errors.append("%s:%d: %s" % (node[0], node[1], e))

    threads = [threading.Thread(target=wrap, args=(node, ids)) for node, ids in by_node.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def load_node(node, ids):
    c = Conn(*node)
    for off in range(0, len(ids), CHUNK):
        part = ids[off:off + CHUNK]
        buf = []
        for i in part:
            k = key(i)
            buf.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n" % (len(k), k, value(i)))
        c.sock.sendall(b"".join(buf))
        got = c.read_exact(5 * len(part))
        if got != b"+OK\r\n" * len(part):
            raise RuntimeError("a SET failed: %r" % got[:200])


def verify_node(node, ids):
    c = Conn(*node)
    for off in range(0, len(ids), CHUNK):
        part = ids[off:off + CHUNK]
        buf = []
        want = []
        for i in part:
            k = key(i)
            buf.append(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k))
            want.append(b"$16\r\n%s\r\n" % value(i))
        buf.append(b"*1\r\n$4\r\nPING\r\n")
        want.append(b"+PONG\r\n")
        want = b"".join(want)
        c.sock.sendall(b"".join(buf))
        # No reply contains "+PONG" but the PING's: read up to it, then compare the whole chunk
        # (a missing key, a MOVED/ASK error or a changed value all make it differ).
        got = []
        tail = b""
        while not tail.endswith(b"+PONG\r\n"):
            data = c.rf.read1(1 << 20)
            if not data:
                raise IOError("connection closed")
            got.append(data)
            tail = (tail + data)[-7:]
        if b"".join(got) != want:
            detail = "?"
            for i in part:  # name the first bad key
                try:
                    r = c.cmd("GET", key(i))
                except RuntimeError as e:
                    r = "error %s" % e
                if r != value(i):
                    detail = "GET %s -> %r, want %r" % (key(i).decode(), r, value(i))
                    break
            raise RuntimeError("keys differ from the loaded data (%s)" % detail)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["load", "verify"])
    p.add_argument("--port", type=int, required=True, help="any node of the cluster (127.0.0.1)")
    p.add_argument("--keys", type=int, default=1000000)
    a = p.parse_args()
    t0 = time.time()
    by_node = group(a.keys, owners(a.port))
    errors = run_parallel(load_node if a.action == "load" else verify_node, by_node)
    if errors:
        for e in errors:
            print("load-keys %s: %s" % (a.action, e), file=sys.stderr)
        sys.exit(1)
    print("%s: %d keys on %d masters in %.1f s" % (
        "loaded" if a.action == "load" else "verified", a.keys, len(by_node), time.time() - t0))


if __name__ == "__main__":
    main()
