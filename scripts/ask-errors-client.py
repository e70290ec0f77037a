#!/usr/bin/env python3
"""Client load for scripts/ask-errors.sh: T threads, each with its own redis-py RedisCluster
client (as T application processes would have), alternating GET and SET of random keys of
scripts/load-keys.py's data set (`key:<i>`; SET writes the loaded value back, so
`load-keys.py verify` still holds). Every exception a command raises is counted by type and
message, the command is not retried, and the thread goes on with the next key.

redis-py builds its node list from CLUSTER SLOTS, so a master that served no slot when the
client started is unknown to it until a MOVED names it or the topology is refreshed; an ASK
to such a master makes `get_node()` return None and the command fails with an AttributeError
on None (redis/redis-py#4015). Those are counted apart, as `ask_unknown`.

  ask-errors-client.py --port P --keys N [--threads T] [--stop FILE] [--ready FILE] [--secs S]

Runs until FILE exists (checked between commands) or S seconds pass; writes `--ready` once
every client has connected. Prints one JSON line:

  {"redis_py": "8.2.0", "ops": N, "errors": N, "ask_unknown": N, "wrong_values": N,
   "by_error": {"AttributeError: 'NoneType' object has no attribute ...": N, ...}}
"""
import argparse
import collections
import json
import os
import random
import sys
import threading
import time

import redis
from redis.cluster import RedisCluster


def key(i):
    return b"key:%d" % i


def value(i):
    return b"%016x" % ((i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF)


def is_ask_unknown(err):
    """The failure of redis/redis-py#4015: the ASK target is not in the client's node list,
    so the retry dereferences None."""
    return isinstance(err, AttributeError) and "'NoneType' object has no attribute" in str(err)


def describe(err):
    text = " ".join(str(err).split())
    return "%s: %s" % (type(err).__name__, text[:160])


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = 0
        self.wrong = 0
        self.by_error = collections.Counter()
        self.ask_unknown = 0

    def add(self, ops, wrong, errors, ask_unknown):
        with self.lock:
            self.ops += ops
            self.wrong += wrong
            self.by_error.update(errors)
            self.ask_unknown += ask_unknown


def worker(args, client, counts, deadline):
    rng = random.Random()
    ops = wrong = ask_unknown = 0
    errors = collections.Counter()
    n = 0
    while time.monotonic() < deadline and not (n % 64 == 0 and os.path.exists(args.stop)):
        n += 1
        i = rng.randrange(args.keys)
        try:
            if n % 2:
                got = client.get(key(i))
                if got != value(i):
                    wrong += 1
            else:
                client.set(key(i), value(i))
            ops += 1
        except Exception as err:  # every failure is what the script measures
            errors[describe(err)] += 1
            if is_ask_unknown(err):
                ask_unknown += 1
    counts.add(ops, wrong, errors, ask_unknown)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--keys", type=int, required=True)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--stop", default="/nonexistent/stop")
    p.add_argument("--ready")
    p.add_argument("--secs", type=float, default=600)
    args = p.parse_args()

    clients = [RedisCluster(host="127.0.0.1", port=args.port) for _ in range(args.threads)]
    if args.ready:
        open(args.ready, "w").close()
    counts = Counts()
    deadline = time.monotonic() + args.secs
    threads = [
        threading.Thread(target=worker, args=(args, c, counts, deadline)) for c in clients
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    print(
        json.dumps(
            {
                "redis_py": redis.__version__,
                "ops": counts.ops,
                "errors": sum(counts.by_error.values()),
                "ask_unknown": counts.ask_unknown,
                "wrong_values": counts.wrong,
                "by_error": dict(counts.by_error.most_common()),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
