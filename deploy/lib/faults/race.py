#!/usr/bin/env python3
"""Concurrency across processes: many clients race lifecycle operations through nginx and a pool.

Why: the pool is several worker processes with several threads each, sharing one SQLite WAL
database and one plugin tree. Leases (a row per (user, plugin)) serialise operations and the
busy timeout absorbs write contention; this harness checks that under real contention every
answer is one the contract allows and the state stays consistent:

  (a) the same (user, plugin) raced by install/uninstall/update/repair/status from many client
      threads at once, for N rounds, with dependency races (library install vs chat uninstall);
  (b) many users at once, each install -> status -> uninstall;
  (c) a sustained write load with readers, sampling lifecycle.sqlite-wal.

Every answer must be a contract code for that route: never 500, never 502/504 (nothing is
killed here), never a body mentioning SQLITE_BUSY or "database is locked"; 503 only with
Retry-After. After each round (a), after (b) and after (c), faultlib.check_invariants holds.

WAL bound (c): the WAL must stay under 64 MiB at every sample, and must not keep growing: the
size at the end of the load may be at most max(8 MiB, 2 x the median sample). SQLite reuses the
WAL file after each checkpoint (the master also runs `wal_checkpoint(TRUNCATE)` every 30 s), so
a healthy file plateaus; a checkpoint starved by a long reader grows without bound. In --long
the harness also waits for the master's next periodic checkpoint and expects the WAL truncated.

Usage: race.py --bin /abs/plugin-lifecycle [--long] [--seed N]
"""

import collections
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from faultlib import CHAT, LIBRARY, NETWORK, SETTINGS  # noqa: E402

# The contract's answers per operation (status -> allowed problem codes; None = success body).
ALLOWED = {
    "install": {201: None, 409: {"already_installed", "operation_in_progress"}, 422: {"dependency_unsatisfied"},
                404: {"not_installed"}, 503: {"unavailable"}},
    "uninstall": {200: None, 404: {"not_installed"}, 409: {"operation_in_progress", "dependency_in_use"},
                  503: {"unavailable"}},
    "update": {200: None, 404: {"not_installed"}, 409: {"operation_in_progress"}, 422: {"dependency_unsatisfied"},
               503: {"unavailable"}},
    "repair": {200: None, 404: {"not_installed"}, 409: {"operation_in_progress"}, 503: {"unavailable"}},
    "status": {200: None, 503: {"unavailable"}},
    "installed": {200: None, 503: {"unavailable"}},
    "available": {200: None, 503: {"unavailable"}},
}
VERSIONS = {NETWORK: ["1.0.0", "1.1.0"], SETTINGS: ["1.0.0", "1.0.9", "1.0.10"], CHAT: ["1.0.0"], LIBRARY: ["1.0.0"]}
WAL_HARD_LIMIT = 64 * 1024 * 1024


class Results:
    """Answers by status, 5xx count and findings, shared by all client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_status = collections.Counter()
        self.sent = 0
        self.findings = []

    def find(self, text):
        with self.lock:
            self.findings.append(text)
        fl.log("FINDING: " + text)

    def record(self, kind, answer, where):
        """Counts one answer and checks it against the contract."""
        status, headers, body = answer
        with self.lock:
            self.sent += 1
            self.by_status[status] += 1
        if status is None:
            self.find(f"{where} {kind}: no answer ({body[:200]})")
            return
        lowered = body.lower()
        if "sqlite_busy" in lowered or "database is locked" in lowered:
            self.find(f"{where} {kind}: {status} body mentions the database lock: {body[:200]}")
        allowed = ALLOWED[kind]
        if status not in allowed:
            self.find(f"{where} {kind}: status {status} is not a contract answer: {body[:300]}")
            return
        if status == 503 and "retry-after" not in headers:
            self.find(f"{where} {kind}: 503 without Retry-After")
        if allowed[status] is not None:
            try:
                code = json.loads(body).get("code")
            except ValueError:
                code = None
            if code not in allowed[status]:
                self.find(f"{where} {kind}: {status} with code {code!r}, expected one of {sorted(allowed[status])}")


def call(stack, user, kind, slug=None, version=None):
    """One request; transport errors become a (None, {}, text) answer so they are reported."""
    try:
        if kind == "installed":
            return stack.request("GET", "/api/plugins/installed", user)
        if kind == "available":
            return stack.request("GET", "/api/plugins/available", user)
        return fl.api_call(stack, user, kind, slug, version)
    except OSError as error:
        return (None, {}, f"{type(error).__name__}: {error}")


def check_state(results, data_dir, users, where):
    for finding in fl.check_invariants(data_dir, users=users):
        results.find(f"{where}: {finding}")


def race_same_plugin(stack, results, rand, rounds):
    """(a) One (user, plugin) per round, hit by every kind of operation at once."""
    with ThreadPoolExecutor(16) as pool:
        for round_number in range(rounds):
            user = f"race{round_number % 4}"
            if rand.random() < 0.25:
                # Dependency race: the library install holds chat; chat's uninstall must wait or be refused.
                plan = [("install", LIBRARY, None)] * 4 + [("uninstall", CHAT, None)] * 4 + \
                       [("install", CHAT, None)] * 3 + [("uninstall", LIBRARY, None)] * 3 + [("status", CHAT, None)] * 2
            else:
                slug = rand.choice([NETWORK, SETTINGS])
                kinds = ["install", "uninstall", "update", "repair", "status"]
                plan = [(rand.choice(kinds), slug, rand.choice(VERSIONS[slug])) for _ in range(16)]
            rand.shuffle(plan)
            futures = [(kind, pool.submit(call, stack, user, kind, slug,
                                          version if kind in ("install", "update") and rand.random() < 0.7 else None))
                       for kind, slug, version in plan]
            for kind, future in futures:
                results.record(kind, future.result(), f"round {round_number}")
            check_state(results, stack.data_dir, {user}, f"round {round_number} {user}")
            if (round_number + 1) % 10 == 0:
                fl.log(f"(a) {round_number + 1}/{rounds} rounds")


def many_users(stack, results, rand, users):
    """(b) Many users at once: each installs, checks, uninstalls its own copy."""
    names = [f"many{i}" for i in range(users)]

    def one(user):
        slug = rand.choice([CHAT, NETWORK, SETTINGS])
        answer = call(stack, user, "install", slug)
        results.record("install", answer, user)
        if answer[0] != 201 and answer[0] != 409:
            results.find(f"(b) {user}: install of {slug} answered {answer[0]} without contention")
        answer = call(stack, user, "status", slug)
        results.record("status", answer, user)
        if answer[0] == 200 and json.loads(answer[2]).get("data", {}).get("status") != "healthy":
            results.find(f"(b) {user}: {slug} not healthy right after its install: {answer[2][:200]}")
        results.record("installed", call(stack, user, "installed"), user)
        answer = call(stack, user, "uninstall", slug)
        results.record("uninstall", answer, user)
        if answer[0] != 200:
            results.find(f"(b) {user}: uninstall of {slug} answered {answer[0]} without contention")

    with ThreadPoolExecutor(25) as pool:
        list(pool.map(one, names))
    check_state(results, stack.data_dir, None, "(b) after all users")


def sustained(stack, results, rand, seconds, long_mode):
    """(c) Writers install/uninstall while readers read; the WAL is sampled throughout."""
    wal = os.path.join(stack.data_dir, "lifecycle.sqlite-wal")
    stop = threading.Event()
    samples = []
    users = [f"load{i}" for i in range(20)]
    seeds = [rand.random() for _ in range(8)]

    def writer(seed):
        local = fl.random.Random(seed)
        while not stop.is_set():
            user, slug = local.choice(users), local.choice([CHAT, NETWORK, SETTINGS])
            kind = local.choice(["install", "uninstall", "update"])
            results.record(kind, call(stack, user, kind, slug, local.choice(VERSIONS[slug]) if kind != "uninstall" else None), "(c)")

    def reader(seed):
        local = fl.random.Random(seed)
        while not stop.is_set():
            kind = local.choice(["installed", "status", "available"])
            results.record(kind, call(stack, local.choice(users), kind, local.choice([CHAT, NETWORK])), "(c)")

    threads = [threading.Thread(target=writer, args=(s,)) for s in seeds[:4]] + \
              [threading.Thread(target=reader, args=(s,)) for s in seeds[4:]]
    for thread in threads:
        thread.start()
    try:
        end = time.time() + seconds
        while time.time() < end:
            samples.append(os.path.getsize(wal) if os.path.exists(wal) else 0)
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    samples.append(os.path.getsize(wal) if os.path.exists(wal) else 0)
    peak = max(samples)
    fl.figure("race.wal_peak_bytes", peak)
    fl.figure("race.wal_end_bytes", samples[-1])
    fl.log(f"(c) WAL samples (KiB): {[s // 1024 for s in samples[::max(1, len(samples) // 12)]]}")
    if peak >= WAL_HARD_LIMIT:
        results.find(f"(c) WAL reached {peak} bytes (limit {WAL_HARD_LIMIT})")
    if samples[-1] > max(8 * 1024 * 1024, 2 * statistics.median(samples)):
        results.find(f"(c) WAL still growing at the end: {samples[-1]} bytes vs median {statistics.median(samples)}")
    if long_mode:
        # The master checkpoints with TRUNCATE every 30 s: once idle, the WAL must go back to ~0.
        deadline = time.time() + 40
        while time.time() < deadline and os.path.exists(wal) and os.path.getsize(wal) > 0:
            time.sleep(1)
        size = os.path.getsize(wal) if os.path.exists(wal) else 0
        fl.figure("race.wal_after_idle_bytes", size)
        if size > 0:
            results.find(f"(c) WAL not truncated 40 s after the load stopped ({size} bytes)")
    check_state(results, stack.data_dir, None, "(c) after the load")


def main():
    args = fl.parse_args(__doc__.splitlines()[0], default_seed=777)
    scale = 10 if args.long else 1
    rand = fl.rng(args.seed)
    root = fl.make_temp_root("lc-race-")
    results = Results()
    started = time.time()
    stack = None
    try:
        data_dir = os.path.join(root, "data")
        fl.Cli(args.bin, data_dir).init()
        stack = fl.Stack(args.bin, os.path.join(root, "stack"), data_dir, workers=3, threads=4, api_rate="100000r/s")
        fl.log(f"stack up on 127.0.0.1:{stack.port} (3 workers x 4 threads)")
        race_same_plugin(stack, results, rand, 30 * scale)
        fl.log("(b) many users")
        many_users(stack, results, rand, 50 * (3 if args.long else 1))
        fl.log("(c) sustained load")
        sustained(stack, results, rand, 60 if args.long else 20, args.long)
        log_text = open(stack.pool_log, errors="replace").read()
        crashes = log_text.count("worker exited")
        fl.figure("race.worker_exits", crashes)
        if crashes:
            results.find(f"{crashes} worker exits during the run (pool log)")
    finally:
        if stack:
            stack.stop()
        fl.PROCESSES.kill_all()
        fl.cleanup_dir(root)

    fl.figure("race.seed", args.seed)
    fl.figure("race.requests_sent", results.sent)
    for status in sorted(results.by_status, key=lambda s: (s is None, s or 0)):
        fl.figure(f"race.status.{status if status is not None else 'none'}", results.by_status[status])
    fl.figure("race.5xx", sum(n for s, n in results.by_status.items() if s is not None and s >= 500))
    fl.figure("race.inconsistencies", len(results.findings))
    fl.figure("race.seconds", round(time.time() - started, 1))
    return fl.verdict("race", results.findings)


if __name__ == "__main__":
    sys.exit(main())
