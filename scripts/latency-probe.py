#!/usr/bin/env python3
"""Client load with latency figures, for scripts/bench-throttle.sh: C client processes, each a
closed loop of one request at a time (no pipelining) against a Redis Cluster, alternating GET
and SET of random keys of scripts/load-keys.py's data set (`key:<i>`, SET writes the loaded
value back, so `load-keys.py verify` still holds). Each process is a small cluster client:
slot map from CLUSTER SLOTS, MOVED updates it, ASK is followed with ASKING, TRYAGAIN is
retried after 10 ms. A request's latency runs from its first send to its final reply,
redirections included: what an application sees. Standard library only.

  latency-probe.py --port P --keys N [--clients C] [--secs S] [--stop FILE] [--ready FILE]

Runs until FILE exists (checked every 50 ms) or S seconds pass, whichever is first; writes
`--ready` once every client has connected. Prints one line:

  ops=N secs=S ops_s=R p50_ms=.. p99_ms=.. p999_ms=.. max_ms=.. ask=N moved=N errors=N
"""
import argparse
import array
import binascii
import multiprocessing
import os
import random
import socket
import sys
import time


def key(i):
    return b"key:%d" % i


def value(i):
    return b"%016x" % ((i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF)


def slot(k):
    return binascii.crc_hqx(k, 0) & 16383


class ReplyError(Exception):
    pass


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rf = self.sock.makefile("rb")

    def send(self, *cmds):
        out = []
        for args in cmds:
            out.append(b"*%d\r\n" % len(args))
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def read(self):
        line = self.rf.readline()
        if not line.endswith(b"\r\n"):
            raise IOError("connection closed")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest
        if t == b"-":
            return ReplyError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.rf.read(n + 2)[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise IOError("bad reply %r" % line)


def slot_map(port):
    c = Conn("127.0.0.1", port)
    c.send(("CLUSTER", "SLOTS"))
    table = [("127.0.0.1", port)] * 16384
    for entry in c.read():
        host = entry[2][0].decode() or "127.0.0.1"
        for s in range(entry[0], entry[1] + 1):
            table[s] = (host, entry[2][1])
    return table


def client(n, args, out_path, ready_path):
    rnd = random.Random(n)
    table = slot_map(args.port)
    conns = {}

    def conn(node):
        c = conns.get(node)
        if c is None:
            c = conns[node] = Conn(*node)
        return c

    for node in set(table):
        conn(node)
    open(ready_path, "w").close()
    lat = array.array("I")
    ask = moved = errors = 0
    start = time.monotonic()
    deadline = start + args.secs
    next_check = start
    i = 0
    while True:
        i += 1
        k = rnd.randrange(args.keys)
        kb = key(k)
        cmd = ("GET", kb) if i % 2 else ("SET", kb, value(k))
        node = table[slot(kb)]
        t0 = time.perf_counter()
        for _ in range(10):
            c = conn(node)
            c.send(cmd)
            r = c.read()
            if isinstance(r, ReplyError):
                text = str(r)
                if text.startswith("MOVED"):
                    moved += 1
                    host, port = text.split()[2].rsplit(":", 1)
                    node = (host or "127.0.0.1", int(port))
                    table[slot(kb)] = node
                    continue
                if text.startswith("ASK"):
                    ask += 1
                    host, port = text.split()[2].rsplit(":", 1)
                    c = conn((host or "127.0.0.1", int(port)))
                    c.send(("ASKING",), cmd)
                    c.read()
                    r = c.read()
                    if isinstance(r, ReplyError) and str(r).startswith("TRYAGAIN"):
                        time.sleep(0.01)
                        continue
                    if isinstance(r, ReplyError):
                        errors += 1
                    break
                if text.startswith("TRYAGAIN"):
                    time.sleep(0.01)
                    continue
                errors += 1
            break
        else:
            errors += 1
        lat.append(int((time.perf_counter() - t0) * 1e6))
        now = time.monotonic()
        if now >= next_check:
            next_check = now + 0.05
            if now >= deadline or (args.stop and os.path.exists(args.stop)):
                break
    secs = time.monotonic() - start
    with open(out_path, "wb") as f:
        f.write(b"%f %d %d %d\n" % (secs, ask, moved, errors))
        lat.tofile(f)


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, int(p / 100.0 * len(sorted_values)))
    return sorted_values[i] / 1000.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True, help="any node of the cluster (127.0.0.1)")
    p.add_argument("--keys", type=int, default=1000000)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--secs", type=float, default=600)
    p.add_argument("--stop", help="stop once this file exists")
    p.add_argument("--ready", help="create this file once every client is connected")
    p.add_argument("--dir", default="/tmp", help="where the clients leave their samples")
    a = p.parse_args()
    outs = [os.path.join(a.dir, "probe.%d.%d" % (os.getpid(), n)) for n in range(a.clients)]
    readies = [o + ".ready" for o in outs]
    procs = [multiprocessing.Process(target=client, args=(n, a, outs[n], readies[n]))
             for n in range(a.clients)]
    for pr in procs:
        pr.start()
    while not all(os.path.exists(r) for r in readies):
        if not any(pr.is_alive() for pr in procs):
            sys.exit("latency-probe: the clients died before connecting")
        time.sleep(0.02)
    if a.ready:
        open(a.ready, "w").close()
    for pr in procs:
        pr.join()
    lat = array.array("I")
    secs = 0.0
    ask = moved = errors = 0
    for o in outs:
        with open(o, "rb") as f:
            head = f.readline().split()
            secs = max(secs, float(head[0]))
            ask += int(head[1])
            moved += int(head[2])
            errors += int(head[3])
            data = f.read()
            part = array.array("I")
            part.frombytes(data)
            lat.extend(part)
        os.unlink(o)
        os.unlink(o + ".ready")
    values = sorted(lat)
    print("ops=%d secs=%.2f ops_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
          "ask=%d moved=%d errors=%d" % (
              len(values), secs, len(values) / secs if secs else 0,
              percentile(values, 50), percentile(values, 99), percentile(values, 99.9),
              values[-1] / 1000.0 if values else 0, ask, moved, errors))


if __name__ == "__main__":
    main()
