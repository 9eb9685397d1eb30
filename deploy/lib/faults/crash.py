#!/usr/bin/env python3
"""Crash consistency: SIGKILL lifecycle operations mid-way and check that recovery is exact.

Why: every operation stages a copy, renames folders and then commits rows in one transaction;
a process can die between any two of those steps. The design promises that afterwards the
database decides and the disk is made to match (DESIGN.md). This harness kills real processes:

  * CLI processes (`plugin-lifecycle install/update/repair/uninstall`), (a) at every named fault
    point (PLUGIN_LIFECYCLE_FAULT=<kind>.<point> makes the process SIGKILL itself there) and
    (b) after a random delay (SIGKILL from here, wherever the process happens to be);
  * pool workers behind nginx: the pool runs with <kind>.<point>:sleep=60, the request is held at
    the point, and the worker that owns the operation's lease is SIGKILLed.

After each kill it recovers the way a user would (`status` of the plugins involved, which takes
over a dead owner's lease and rolls back) and then checks, for every plugin of that user:
database and disk agree (faultlib.check_invariants), the service's own `status --full` says
healthy, an uncommitted repair left the files exactly as they were, a dependency install or a
cascade uninstall is all-or-nothing, and the audit log has an event exactly when the change
happened. Users are split over parallel lanes (their operations never touch each other); a
global check of everything runs at the end.

Usage: crash.py --bin /abs/plugin-lifecycle [--long] [--seed N]
"""

import collections
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from faultlib import CHAT, LIBRARY, NETWORK, SETTINGS  # noqa: E402

# (kind, scenario name, fault points the operation reaches). install.old-moved is not listed:
# a fresh install has no previous folder to move aside, so the point is never reached.
SCENARIOS = [
    ("install", "install-chat", ["staged", "after-swap", "before-commit"]),
    ("install", "install-library-with-dependency", ["staged", "after-swap", "before-commit"]),
    ("update", "update-network-up", ["staged", "old-moved", "after-swap", "before-commit"]),
    ("update", "update-network-down", ["staged", "old-moved", "after-swap", "before-commit"]),
    ("update", "update-settings-semver", ["staged", "old-moved", "after-swap", "before-commit"]),
    ("repair", "repair-deleted-file", ["staged", "old-moved", "after-swap", "before-commit"]),
    ("repair", "repair-modified-file", ["staged", "old-moved", "after-swap", "before-commit"]),
    ("uninstall", "uninstall-network", ["before-commit"]),
    ("uninstall", "uninstall-chat-cascade", ["before-commit"]),
]


# Parallel lanes of CLI operations: each CLI call spends most of its wall time waiting (start-up,
# database open), so more lanes than cores still shortens the run.
LANES = 6


class Tally:
    """Thread-safe counters and the list of findings."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.findings = []

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] += n

    def find(self, text):
        with self.lock:
            self.findings.append(text)
        fl.log("FINDING: " + text)


def setup_for(scenario):
    """(operation argv, the state wanted before it, slugs involved, audit action, target version).

    `want` maps slug -> version (or None = absent); slugs not named are left alone. `involved`
    are the plugins the operation changes (all-or-nothing); the first is the one named.
    """
    if scenario == "install-chat":
        return (["install", "{u}", CHAT], {LIBRARY: None, CHAT: None}, [CHAT], "install", None)
    if scenario == "install-library-with-dependency":
        return (["install", "{u}", LIBRARY], {LIBRARY: None, CHAT: None}, [LIBRARY, CHAT], "install", None)
    if scenario == "update-network-up":
        return (["update", "{u}", NETWORK, "--version", "1.1.0"], {NETWORK: "1.0.0"}, [NETWORK], "update", "1.1.0")
    if scenario == "update-network-down":
        return (["update", "{u}", NETWORK, "--version", "1.0.0"], {NETWORK: "1.1.0"}, [NETWORK], "update", "1.0.0")
    if scenario == "update-settings-semver":
        return (["update", "{u}", SETTINGS, "--version", "1.0.10"], {SETTINGS: "1.0.9"}, [SETTINGS], "update", "1.0.10")
    if scenario in ("repair-deleted-file", "repair-modified-file"):
        return (["repair", "{u}", CHAT], {CHAT: "1.0.0"}, [CHAT], "repair", None)
    if scenario == "uninstall-network":
        return (["uninstall", "{u}", NETWORK], {NETWORK: "1.1.0"}, [NETWORK], "uninstall", None)
    if scenario == "uninstall-chat-cascade":
        return (["uninstall", "{u}", CHAT, "--cascade"], {CHAT: "1.0.0", LIBRARY: "1.0.0"}, [CHAT, LIBRARY], "uninstall", None)
    raise ValueError(scenario)


def user_rows(data_dir, user):
    state = fl.snapshot(data_dir)
    rows = {slug: row for (u, slug), row in state["plugins"].items() if u == user}
    audit = {(slug, action): n for (u, slug, action), n in state["audit"].items() if u == user}
    return rows, audit


def ensure(cli, user, want):
    """Brings `user` to the wanted versions with uninterrupted CLI calls (removals first)."""
    rows, _ = user_rows(cli.data_dir, user)
    for slug, version in want.items():
        if version is None and slug in rows:
            code, out, err = cli.run("uninstall", user, slug, "--cascade")
            if code != 0:
                raise RuntimeError(f"setup: uninstall {user} {slug}: {err.strip()}")
            rows, _ = user_rows(cli.data_dir, user)
    for slug in [CHAT, LIBRARY, NETWORK, SETTINGS]:  # dependency order: CHAT before LIBRARY
        version = want.get(slug)
        if version is None:
            continue
        if slug not in rows:
            code, out, err = cli.run("install", user, slug, "--version", version)
        elif rows[slug]["version"] != version:
            code, out, err = cli.run("update", user, slug, "--version", version)
        else:
            continue
        if code != 0:
            raise RuntimeError(f"setup: {user} {slug} -> {version}: {err.strip()}")


def damage(data_dir, user, slug, scenario, rand):
    """Gives repair work to do: delete or modify one recorded file of the installed copy."""
    folder = Path(data_dir, "plugins", user, slug)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != fl.METADATA_FILE)
    victim = rand.choice(files)
    if scenario == "repair-deleted-file":
        victim.unlink()
    else:
        with open(victim, "ab") as f:
            f.write(b"\n/* tampered */\n")


def is_committed(kind, slug, target, before, after):
    """Whether `slug`'s part of the operation is visible in the rows after recovery."""
    if kind == "install":
        return slug in after
    if kind == "uninstall":
        return slug not in after
    if kind == "update":
        return slug in after and after[slug]["version"] == target
    if kind == "repair":
        return slug in after and after[slug]["operation_id"] != before[slug]["operation_id"]
    raise ValueError(kind)


class Lane:
    """One thread's share of the work: its own users, so checks never see another lane's operation."""

    def __init__(self, name, binary, data_dir, tally, rand, median):
        self.name, self.tally, self.rand, self.median = name, tally, rand, median
        self.cli = fl.Cli(binary, data_dir)
        self.data_dir = data_dir
        self.users = [f"{name}u{i}" for i in range(3)]

    def run_one(self, scenario, kind, mode, point=None, stack=None):
        """One interrupted operation + recovery + checks. mode: point | delay | worker."""
        user = self.rand.choice(self.users)
        argv, want, involved, action, target = setup_for(scenario)
        argv = [a.replace("{u}", user) for a in argv]
        ensure(self.cli, user, want)
        if kind == "repair":
            damage(self.data_dir, user, CHAT, scenario, self.rand)
        before, audit_before = user_rows(self.data_dir, user)
        damaged_tree = fl.tree_files(os.path.join(self.data_dir, "plugins", user, CHAT)) if kind == "repair" else None

        label = f"{scenario}@{point}" if point else f"{scenario}@{mode}"
        interrupted = False
        if mode == "point":
            code, _, err = self.cli.run(*argv, env={"PLUGIN_LIFECYCLE_FAULT": f"{kind}.{point}"})
            interrupted = code == -signal.SIGKILL
            if not interrupted:
                self.tally.find(f"{label} {user}: the fault point was not reached (exit {code}: {err.strip()[:200]})")
        elif mode == "delay":
            delay = self.rand.uniform(0.0, 1.3 * self.median[kind])
            proc = self.cli.spawn(*argv)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            code = proc.wait()
            interrupted = code == -signal.SIGKILL
            if not interrupted:
                self.tally.add("crash.delay_completed_before_kill")
        else:  # worker
            interrupted = self.kill_worker(stack, user, kind, argv, label)
        if interrupted:
            self.tally.add("crash.operations_interrupted")
            self.tally.add(f"crash.interrupted.{kind}.{'worker.' if mode == 'worker' else ''}{point or mode}")

        # Recovery as a user does it: look at the plugins involved.
        for slug in involved:
            if mode == "worker":  # through the pool, as the web user would
                code, _, err = fl.api_call(stack, user, "status", slug)
                code = 0 if code == 200 else code
            else:
                code, out, err = self.cli.run("status", user, slug)
            if code != 0:
                self.tally.find(f"{label} {user}: status {slug} after the kill failed ({code}): {err.strip()[:200]}")
            # A recovery that failed is logged and swallowed (status still answers): surface it.
            for line in err.splitlines():
                if " error " in line or "failed" in line:
                    self.tally.find(f"{label} {user}: status {slug} logged: {line.strip()[:300]}")
        self.check(label, user, kind, involved, target, before, audit_before, damaged_tree)

    def kill_worker(self, stack, user, kind, argv, label):
        """Sends the operation over HTTP to a pool held at a :sleep= point; SIGKILLs the lease owner."""
        slug = argv[2]
        version = argv[argv.index("--version") + 1] if "--version" in argv else None
        result = {}
        cascade = "--cascade" in argv
        thread = threading.Thread(target=lambda: result.update(answer=self.safe_call(stack, user, kind, slug, version, cascade)))
        thread.start()
        owner = None
        deadline = time.time() + 30
        while time.time() < deadline and owner is None:
            for lease in fl.snapshot(self.data_dir)["leases"]:
                if lease["user_id"] == user and lease["operation"] == kind:
                    owner = lease["owner"]
            time.sleep(0.05)
        if owner is None:
            thread.join(90)
            self.tally.find(f"{label} {user}: no lease appeared (answer {result.get('answer')})")
            return False
        time.sleep(1.0)  # the held point is reached well within this (a copy of ~50 KB)
        pid = int(owner.split(":")[0])
        if pid not in stack.worker_pids():
            self.tally.find(f"{label} {user}: lease owner {owner} is not a worker of the pool")
            thread.join(90)
            return False
        os.kill(pid, signal.SIGKILL)
        thread.join(90)
        # nginx answers 502 as soon as the socket closes, a moment before the kernel has finished
        # the process (it still looks alive in /proc). Recovery starts once it is dead (zombie or gone).
        deadline = time.time() + 10
        while time.time() < deadline and fl.process_state(pid) not in (None, "Z", "X"):
            time.sleep(0.01)
        status = result.get("answer", (None,))[0]
        if status not in (502, 504):
            self.tally.find(f"{label} {user}: the killed request answered {status}, expected 502 from nginx")
        if not stack.wait_workers():
            self.tally.find(f"{label}: the pool did not restart the killed worker")
        return True

    @staticmethod
    def safe_call(stack, user, kind, slug, version, cascade):
        try:
            return fl.api_call(stack, user, kind, slug, version, cascade)
        except OSError as error:
            return (None, {}, str(error))

    def check(self, label, user, kind, involved, target, before, audit_before, damaged_tree):
        after, audit_after = user_rows(self.data_dir, user)
        self.tally.add("crash.checks")
        outcomes = []
        for slug in involved:
            committed = is_committed(kind, slug, target, before, after)
            outcomes.append(committed)
            events = audit_after.get((slug, kind), 0) - audit_before.get((slug, kind), 0)
            self.tally.add("crash.checks")
            if events not in (0, 1) or (events == 1) != committed:
                self.tally.find(f"{label} {user}/{slug}: committed={committed} but {events} new '{kind}' audit events")
            self.tally.add(f"crash.outcome.{'committed' if committed else 'rolled_back'}")
        if len(set(outcomes)) > 1:
            self.tally.find(f"{label} {user}: not all-or-nothing: {dict(zip(involved, outcomes))}")
        if kind == "repair" and not outcomes[0]:
            # Rolled back: the files must be exactly the damaged ones it started from.
            now = fl.tree_files(os.path.join(self.data_dir, "plugins", user, CHAT))
            self.tally.add("crash.checks")
            if now != damaged_tree:
                self.tally.find(f"{label} {user}: an uncommitted repair changed the files")
            code, _, err = self.cli.run("repair", user, CHAT)  # restore, so the invariant can hold
            if code != 0:
                self.tally.find(f"{label} {user}: repair after the rollback failed: {err.strip()[:200]}")
        for finding in fl.check_invariants(self.data_dir, users={user}):
            self.tally.find(f"{label} {user}: {finding}")
        self.tally.add("crash.checks", len(after) + 2)
        rows, _ = user_rows(self.data_dir, user)
        for slug in involved:
            if slug in rows:
                self.tally.add("crash.checks")
                problem = fl.healthy_status(self.cli, user, slug)
                if problem:
                    self.tally.find(f"{label}: {problem}")


def measure(cli, user):
    """Median wall time of each kind, uninterrupted: the range random delays are drawn from."""
    times = collections.defaultdict(list)
    for _ in range(2):
        for kind, argv in [("install", ["install", user, LIBRARY]), ("update", ["update", user, NETWORK, "--version", "1.1.0"]),
                           ("repair", ["repair", user, CHAT]), ("uninstall", ["uninstall", user, CHAT, "--cascade"])]:
            if kind == "update":
                ensure(cli, user, {NETWORK: "1.0.0"})
            if kind == "repair":
                os.unlink(sorted(Path(cli.data_dir, "plugins", user, CHAT).rglob("*.js"))[0])
            start = time.time()
            code, _, err = cli.run(*argv)
            times[kind].append(time.time() - start)
            if code != 0:
                raise RuntimeError(f"measure {kind}: {err}")
    return {k: sorted(v)[len(v) // 2] for k, v in times.items()}


def main():
    args = fl.parse_args(__doc__.splitlines()[0], default_seed=4242)
    scale = 10 if args.long else 1
    rand = fl.rng(args.seed)
    root = fl.make_temp_root("lc-crash-", memory=True)
    tally = Tally()
    started = time.time()
    try:
        data_dir = os.path.join(root, "data")
        cli = fl.Cli(args.bin, data_dir)
        cli.init()
        median = measure(cli, "warmup")
        fl.log("median uninterrupted times: " + ", ".join(f"{k} {v:.2f}s" for k, v in median.items()))

        # Phase 1: CLI processes, at every fault point and after random delays, in parallel lanes.
        jobs = []
        for kind, scenario, points in SCENARIOS:
            for point in points:
                jobs += [(scenario, kind, "point", point)] * (3 * scale)
        for _ in range(100 * scale):
            kind, scenario, _ = rand.choice(SCENARIOS)
            jobs.append((scenario, kind, "delay", None))
        rand.shuffle(jobs)
        lanes = [Lane(f"l{i}", args.bin, data_dir, tally, fl.random.Random(rand.random()), median) for i in range(LANES)]
        fl.log(f"phase 1: {len(jobs)} CLI operations to interrupt over {len(lanes)} lanes")

        def lane_work(index):
            done = 0
            for job in jobs[index::len(lanes)]:
                lanes[index].run_one(*job)
                done += 1
                if done % 25 == 0:
                    fl.log(f"lane {index}: {done} done")
        with ThreadPoolExecutor(len(lanes)) as pool:
            for future in [pool.submit(lane_work, i) for i in range(len(lanes))]:
                future.result()

        # Phase 2: pool workers behind nginx, held at a point and SIGKILLed.
        worker_jobs = [(kind, scenario, point) for kind, scenario, points in SCENARIOS for point in points]
        rand.shuffle(worker_jobs)
        worker_jobs = worker_jobs[:14] if scale == 1 else worker_jobs * (scale // 2)
        by_point = collections.defaultdict(list)
        for kind, scenario, point in worker_jobs:
            by_point[(kind, point)].append(scenario)
        fl.log(f"phase 2: {len(worker_jobs)} pool workers to kill over {len(by_point)} stacks")
        lane = Lane("w", args.bin, data_dir, tally, fl.random.Random(rand.random()), median)
        for (kind, point), scenarios in sorted(by_point.items()):
            stack = fl.Stack(args.bin, os.path.join(root, f"stack-{kind}-{point}"), data_dir, workers=2, threads=2,
                             env={"PLUGIN_LIFECYCLE_FAULT": f"{kind}.{point}:sleep=60"})
            fl.log(f"phase 2: pool held at {kind}.{point}: {len(scenarios)} kills")
            try:
                for scenario in scenarios:
                    lane.run_one(scenario, kind, "worker", point=point, stack=stack)
            finally:
                stack.stop()

        # Last: everything, everyone, nothing in flight.
        for finding in fl.check_invariants(data_dir):
            tally.find("final global check: " + finding)
    finally:
        fl.PROCESSES.kill_all()
        fl.cleanup_dir(root)

    counts = tally.counts
    fl.figure("crash.seed", args.seed)
    fl.figure("crash.operations_interrupted", counts["crash.operations_interrupted"])
    for key in sorted(counts):
        if key.startswith("crash.interrupted.") or key.startswith("crash.outcome.") or key == "crash.delay_completed_before_kill":
            fl.figure(key, counts[key])
    fl.figure("crash.checks", counts["crash.checks"])
    fl.figure("crash.inconsistencies", len(tally.findings))
    fl.figure("crash.seconds", round(time.time() - started, 1))
    return fl.verdict("crash", tally.findings)


if __name__ == "__main__":
    sys.exit(main())
