#!/usr/bin/env python3
"""Several hosts on PostgreSQL: a whole host killed or stalled, and the database restarted.

Why: with `deploy/stack --hosts 3` three `serve` pools (h1-h3, each a process group of its own)
share one data directory and one PostgreSQL server behind one nginx, with `--lease-ttl 3`. An
operation is owned by a host through a lease it renews; a dead or stalled host's operation must be
rolled back by another host within ttl + 2 s, and a stalled host that wakes must not write after
the takeover (docs/scale-out.md). This harness checks, on the real stack:

  (a) the same (user, plugin) installed at once through the three hosts' sockets and nginx:
      exactly one 201 per round, the rest 409, the folder whole;
  (d) `pg_ctl restart -m fast` under a read load through nginx: every answer is 200 or 503
      `storage_unavailable` with Retry-After, then 200s again, from the same worker processes;
  (c) h1 stopped (SIGSTOP of its process group) with its install's copy swapped in
      (install.after-swap); h2 takes over once the lease has expired and installs; h1 goes on
      (SIGCONT, always, in `finally`): its answer is 409 or 503, and the tree and rows are h2's;
  (b) a whole host SIGKILLed (master and workers, its process group) while it holds an install
      (h3, install.after-swap) and then an update (h2, update.old-moved), under a read load
      through nginx: the other hosts answer every read, and within ttl + 2 s of the kill the
      database and the disk agree (faultlib.check_invariants on a PostgreSQL snapshot).

Holds (PLUGIN_LIFECYCLE_FAULT=<point>:hold=DIR, one host each through --host-env) stop an
operation at its point until the harness lets it go, so each step acts on an event, not a guess.
Figures: hosts.race_winners, hosts.takeover_seconds_max, hosts.kills_consistent,
hosts.stalls_fenced, hosts.pg_down_503, hosts.pg_recovery_seconds.

Usage: hosts.py --bin /abs/plugin-lifecycle [--long] [--seed N]
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from faultlib import CHAT, NETWORK, SETTINGS  # noqa: E402

HOSTS = 3
TTL = 3
BOUND = TTL + 2
# Each host's fault point; a hold stays open (its `release` file exists) until a step arms it.
HOLD_POINTS = {1: "install.after-swap", 2: "update.old-moved", 3: "install.after-swap"}


class Cluster:
    """`deploy/stack start ROOT --hosts 3`: facts from stack.env, requests through nginx or one
    host's socket, and each host's process group."""

    def __init__(self, binary, root, pg_dir):
        self.root = root
        self.data_dir = os.path.join(root, "data")
        self.holds = {k: os.path.join(root, f"hold-h{k}") for k in HOLD_POINTS}
        self.cli = fl.Cli(binary, self.data_dir)
        self._tokens = {}
        self._lock = threading.Lock()
        argv = [str(fl.LAUNCHER), "start", root, "--hosts", str(HOSTS), "--lease-ttl", str(TTL), "--pg-dir", pg_dir,
                "--bin", binary, "--data-dir", self.data_dir, "--port", "auto", "--workers", "2", "--threads", "4",
                "--api-rate", "100000r/s"]
        for k, point in HOLD_POINTS.items():
            os.makedirs(self.holds[k])
            Path(self.holds[k], "release").touch()
            argv += ["--host-env", str(k), f"PLUGIN_LIFECYCLE_FAULT={point}:hold={self.holds[k]}"]
        argv += ["--", "--drain-timeout", "5"]
        env = dict(os.environ)
        env.pop("PLUGIN_LIFECYCLE_FAULT", None)
        env.pop("PLUGIN_LIFECYCLE_DATABASE_URL", None)
        started = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
        if started.returncode != 0:
            raise RuntimeError(f"deploy/stack --hosts did not start:\n{started.stderr[-3000:]}")
        facts = {}
        for line in Path(root, "stack.env").read_text().splitlines():
            key, _, value = line.partition("=")
            facts[key] = value.strip("'")
        self.url_port = int(facts["STACK_URL"].rsplit(":", 1)[1])
        self.sockets = facts["STACK_SOCKETS"].split()
        self.masters = [int(pid) for pid in facts["STACK_POOL_PIDS"].split()]
        self.logs = facts["STACK_POOL_LOGS"].split()
        self.database_url = facts["STACK_DATABASE_URL"]
        self.pg_dir = facts["STACK_PG_DIR"]
        self.alive = set(range(1, HOSTS + 1))

    def stop(self):
        for k in range(1, HOSTS + 1):
            self.signal(k, signal.SIGCONT)
        subprocess.run([str(fl.LAUNCHER), "stop", self.root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120, check=False)
        for k in list(self.alive):
            self.signal(k, signal.SIGKILL)

    def signal(self, k, number):
        """Signals host hK's whole process group (setsid by deploy/stack: its master's pid)."""
        pid = self.masters[k - 1]
        try:
            if os.getpgid(pid) == pid and pid != os.getpgrp():
                os.killpg(pid, number)
                return True
        except ProcessLookupError:
            pass
        return False

    def workers(self, k):
        return sorted(fl.children(self.masters[k - 1]))

    def token(self, user):
        with self._lock:
            if user not in self._tokens:
                self._tokens[user] = self.cli.token(user)
            return self._tokens[user]

    def request(self, method, path, user, body=None, timeout=60):
        """Through nginx: (status, headers, body); a transport error is (None, {}, text)."""
        try:
            return fl.http_request(self.url_port, method, path, self.token(user), body, timeout)
        except OSError as error:
            return None, {}, f"{type(error).__name__}: {error}"

    def direct(self, k, method, path, user, body=None, timeout=60):
        """Through host hK's own socket (FastCGI, as nginx sends it): (status, headers, body)."""
        data = json.dumps(body).encode() if body is not None else b""
        env = {"REQUEST_METHOD": method, "REQUEST_URI": path, "SCRIPT_NAME": path, "QUERY_STRING": "",
               "CONTENT_LENGTH": str(len(data)), "HTTP_AUTHORIZATION": "Bearer " + self.token(user)}
        if data:
            env["CONTENT_TYPE"] = "application/json"
        try:
            out = subprocess.run(["cgi-fcgi", "-bind", "-connect", self.sockets[k - 1]], env=env, input=data,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout).stdout
        except subprocess.TimeoutExpired:
            return None, {}, "timed out"
        text = out.decode(errors="replace")
        head, _, body = text.partition("\r\n\r\n")
        headers = {}
        for line in head.split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if not text:
            return None, {}, "no answer"
        status = int(headers["status"][:3]) if "status" in headers else 200
        return status, headers, body

    def arm(self, k):
        for name in ("release", "reached"):
            Path(self.holds[k], name).unlink(missing_ok=True)

    def release(self, k):
        Path(self.holds[k], "release").touch()

    def reached(self, k, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if Path(self.holds[k], "reached").exists():
                return True
            time.sleep(0.01)
        return False

    def snapshot(self):
        """faultlib.snapshot's state, read from PostgreSQL in one statement (one snapshot)."""
        query = """SELECT json_build_object(
            'plugins', (SELECT coalesce(json_agg(json_build_array(id, user_id, plugin_slug, version, operation_id, manifest_json)), '[]') FROM plugin),
            'files', (SELECT coalesce(json_agg(json_build_array(plugin_id, path, size, sha256)), '[]') FROM installed_file),
            'modules', (SELECT coalesce(json_agg(json_build_array(plugin_id, name)), '[]') FROM module),
            'leases', (SELECT coalesce(json_agg(json_build_array(user_id, plugin_slug, operation_id, operation, owner)), '[]') FROM operation_lease))"""
        out = subprocess.run(["psql", self.database_url, "-XAtqc", query], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, timeout=30, check=True).stdout
        raw = json.loads(out)
        state = {"plugins": {}, "files": {}, "modules": {}, "audit": {},
                 "leases": [dict(zip(("user_id", "plugin_slug", "operation_id", "operation", "owner"), r)) for r in raw["leases"]]}
        for pid, user, slug, version, operation, manifest in raw["plugins"]:
            state["plugins"][(user, slug)] = {"id": pid, "version": version, "operation_id": operation, "manifest": manifest}
        for pid, path, size, sha in raw["files"]:
            state["files"].setdefault(pid, {})[path] = (size, sha)
        for pid, name in raw["modules"]:
            state["modules"].setdefault(pid, set()).add(name)
        return state

    def findings(self):
        """The crash-consistency invariant over every user: rows on PostgreSQL, files on disk."""
        return fl.check_invariants(self.data_dir, state=self.snapshot())


class Results:
    def __init__(self):
        self.findings = []
        self.lock = threading.Lock()

    def find(self, text):
        with self.lock:
            self.findings.append(text)
        fl.log("FINDING: " + text)


def code_of(body):
    try:
        return json.loads(body).get("code")
    except ValueError:
        return None


def metadata_operation(folder):
    try:
        return json.loads(Path(folder, fl.METADATA_FILE).read_text()).get("operation_id")
    except (OSError, ValueError):
        return None


class ReadLoad:
    """Readers through nginx until stopped: every answer is counted by (status, code)."""

    def __init__(self, cluster, users, threads=4):
        self.cluster, self.users = cluster, users
        self.answers = []
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]
        for thread in self.threads:
            thread.start()

    def _run(self, i):
        n = 0
        while not self.stop_event.is_set():
            user = self.users[(i + n) % len(self.users)]
            path = "/api/plugins/installed" if n % 2 else f"/api/plugins/{CHAT}/status"
            status, headers, body = self.cluster.request("GET", path, user, timeout=30)
            self.answers.append((time.time(), status, code_of(body) if status != 200 else None, "retry-after" in headers))
            n += 1
            time.sleep(0.01)

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(60)
        return self.answers


def race(cluster, results, rounds):
    """(a) One (user, plugin) installed at once through each host's socket and through nginx."""
    winners = 0
    with ThreadPoolExecutor(12) as pool:
        for round_number in range(rounds):
            user, slug = f"race{round_number}", [CHAT, NETWORK, SETTINGS][round_number % 3]
            path = f"/api/plugins/{slug}/install"
            calls = [pool.submit(cluster.direct, k, "POST", path, user) for k in (1, 2, 3) for _ in range(3)]
            calls += [pool.submit(cluster.request, "POST", path, user) for _ in range(3)]
            answers = [c.result() for c in calls]
            won = sum(1 for status, _, _ in answers if status == 201)
            winners += won
            others = sorted({(status, code_of(body)) for status, _, body in answers if status != 201}, key=str)
            if won != 1 or any(status != 409 for status, _ in others):
                results.find(f"(a) round {round_number}: {won} winners, others {others}")
    for finding in cluster.findings():
        results.find(f"(a) {finding}")
    fl.figure("hosts.race_rounds", rounds)
    fl.figure("hosts.race_winners", winners)
    fl.log(f"(a) {rounds} rounds, {winners} winners")


def pg_restart(cluster, results, seconds_of_load):
    """(d) PostgreSQL restarted (fast) under reads: 503 storage_unavailable, then 200s, same workers."""
    users = [f"pg{i}" for i in range(4)]
    for user in users:
        cluster.request("POST", f"/api/plugins/{CHAT}/install", user)
    workers_before = {k: cluster.workers(k) for k in (1, 2, 3)}
    load = ReadLoad(cluster, users, threads=6)
    time.sleep(seconds_of_load / 2)
    pg_ctl = [os.path.join(fl_pg_bin(), "pg_ctl"), "-D", os.path.join(cluster.pg_dir, "data"),
              "-l", os.path.join(cluster.pg_dir, "server.log"), "-m", "fast", "-w", "-t", "60", "restart"]
    if os.geteuid() == 0:
        pg_ctl = ["runuser", "-u", "postgres", "--"] + pg_ctl
    began = time.time()
    restarted = subprocess.run(pg_ctl, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=90)
    up = time.time()
    if restarted.returncode != 0:
        results.find(f"(d) pg_ctl restart failed: {restarted.stderr[-500:]}")
    time.sleep(seconds_of_load / 2)
    answers = load.stop()
    down = [a for a in answers if a[1] != 200]
    for at, status, code, retry_after in down:
        if status != 503 or code != "storage_unavailable" or not retry_after:
            results.find(f"(d) {at - began:+.2f} s: {status} {code} (Retry-After: {retry_after}), not 503 storage_unavailable")
    last_bad = max((a[0] for a in down), default=up)
    # From the server accepting again to the first 200 after the last 503.
    recovered_at = min((a[0] for a in answers if a[1] == 200 and a[0] > last_bad), default=last_bad)
    recovery = max(0.0, recovered_at - up)
    late = [a for a in answers if a[0] > up + 3 and a[1] != 200]
    if late:
        results.find(f"(d) {len(late)} answers other than 200 more than 3 s after the server was back")
    if not any(a[1] == 200 and a[0] > last_bad for a in answers):
        results.find("(d) no 200 after the restart")
    workers_after = {k: cluster.workers(k) for k in (1, 2, 3)}
    if workers_after != workers_before:
        results.find(f"(d) workers changed: {workers_before} -> {workers_after}")
    fl.figure("hosts.pg_requests", len(answers))
    fl.figure("hosts.pg_down_503", sum(1 for a in down if a[1] == 503))
    fl.figure("hosts.pg_restart_seconds", round(up - began, 2))
    fl.figure("hosts.pg_unavailable_seconds", round(last_bad - min((a[0] for a in down), default=last_bad), 2))
    fl.figure("hosts.pg_recovery_seconds", round(recovery, 2))
    fl.log(f"(d) {len(answers)} reads, {len(down)} not 200 while the server restarted ({up - began:.2f} s); "
           f"last one {recovery:.2f} s after it was back")


def fl_pg_bin():
    versions = [d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()]
    return f"/usr/lib/postgresql/{max(versions, key=int)}/bin"


def stall(cluster, results):
    """(c) h1 stopped at install.after-swap past its lease; h2 takes over; h1 goes on, fenced."""
    user, slug = "stalled", CHAT
    path = f"/api/plugins/{slug}/install"
    target = os.path.join(cluster.data_dir, "plugins", user, slug)
    answer_of_a = []
    cluster.arm(1)
    thread = threading.Thread(target=lambda: answer_of_a.append(cluster.direct(1, "POST", path, user, timeout=120)))
    copy_of_a = copy_of_b = None
    thread.start()
    takeover = None
    try:
        if not cluster.reached(1):
            results.find("(c) h1's install never reached install.after-swap")
            return None
        copy_of_a = metadata_operation(target)
        if not cluster.signal(1, signal.SIGSTOP):
            results.find("(c) h1 has no process group of its own")
            return None
        stalled = time.time()
        cluster.release(1)  # h1 passes its hold once it runs again
        answer = cluster.direct(2, "POST", path, user)
        if answer[0] != 409:
            results.find(f"(c) h2 answered {answer[0]} {code_of(answer[2])} while h1's lease was live (409 expected)")
        while answer[0] != 201 and time.time() - stalled < BOUND + 5:
            time.sleep(0.1)
            answer = cluster.direct(2, "POST", path, user)
        takeover = time.time() - stalled
        if answer[0] != 201:
            results.find(f"(c) no takeover through h2 within {BOUND + 5} s: {answer[0]} {answer[2][:300]}")
        elif takeover > BOUND:
            results.find(f"(c) taken over {takeover:.2f} s after the stall (bound {BOUND} s)")
        copy_of_b = metadata_operation(target)
    finally:
        cluster.signal(1, signal.SIGCONT)
        cluster.release(1)
        thread.join(60)
    status_of_a = answer_of_a[0][0] if answer_of_a else None
    fenced = status_of_a in (409, 503)
    if not fenced:
        results.find(f"(c) h1's answer after SIGCONT: {answer_of_a[0][:1] if answer_of_a else 'none'} (409 or 503 expected)")
    time.sleep(0.5)
    state = cluster.snapshot()
    row = state["plugins"].get((user, slug))
    if copy_of_b is None or copy_of_b == copy_of_a or metadata_operation(target) != copy_of_b \
            or row is None or row["operation_id"] != copy_of_b:
        results.find(f"(c) tree/rows not h2's: A {copy_of_a}, B {copy_of_b}, disk {metadata_operation(target)}, "
                     f"row {row and row['operation_id']}")
    for finding in fl.check_invariants(cluster.data_dir, state=state):
        results.find(f"(c) {finding}")
    if "fenced" not in Path(cluster.logs[0]).read_text(errors="replace"):
        results.find("(c) h1's log does not say it was fenced")
    fl.log(f"(c) h1 stalled: taken over through h2 after {takeover or 0:.2f} s; h1 answered {status_of_a}")
    return takeover, fenced


def kill_host(cluster, results, k, kind, user):
    """(b) Host hK SIGKILLed whole while it holds an install or an update; reads go on via nginx."""
    slug = NETWORK
    if kind == "update":
        answer = cluster.request("POST", f"/api/plugins/{slug}/install", user)
        if answer[0] != 201:
            results.find(f"(b) setup install for {user}: {answer[0]} {answer[2][:200]}")
        # From the installed latest (1.1.0) back to 1.0.0: updates allow downgrades.
        method, path, body = "PUT", f"/api/plugins/{slug}/update", {"version": "1.0.0"}
    else:
        method, path, body = "POST", f"/api/plugins/{slug}/install", None
    load = ReadLoad(cluster, [f"reader{i}" for i in range(3)], threads=3)
    cluster.arm(k)
    thread = threading.Thread(target=cluster.direct, args=(k, method, path, user, body))
    thread.start()
    recovered = None
    try:
        if not cluster.reached(k):
            results.find(f"(b) h{k}'s {kind} never reached {HOLD_POINTS[k]}")
            return None, False
        killed_at = time.time()
        cluster.signal(k, signal.SIGKILL)
        cluster.alive.discard(k)
        cluster.release(k)
        deadline = killed_at + BOUND + 5
        while time.time() < deadline:
            # Only these requests recover this user's operation: the one answered before the
            # first consistent snapshot did it, so its answer times the recovery (not the checking).
            cluster.request("GET", f"/api/plugins/{slug}/status", user)
            answered = time.time()
            state = cluster.snapshot()
            if not any(lease["user_id"] == user for lease in state["leases"]) \
                    and not fl.check_invariants(cluster.data_dir, state=state):
                recovered = answered - killed_at
                break
            time.sleep(0.05)
    finally:
        thread.join(30)
        answers = load.stop()
    bad = [a for a in answers if a[1] != 200]
    if bad:
        results.find(f"(b) h{k} killed: {len(bad)} of {len(answers)} reads through nginx were not 200: {bad[:3]}")
    consistent = recovered is not None and recovered <= BOUND
    if recovered is None:
        for finding in cluster.findings():
            results.find(f"(b) h{k} killed during {kind}, after {BOUND + 5} s: {finding}")
        results.find(f"(b) h{k} killed during {kind}: database and disk did not agree within {BOUND + 5} s")
    elif recovered > BOUND:
        results.find(f"(b) h{k} killed during {kind}: consistent only {recovered:.2f} s after (bound {BOUND} s)")
    fl.log(f"(b) h{k} killed holding {kind}: consistent after {recovered if recovered is not None else -1:.2f} s; "
           f"{len(answers)} reads, {len(bad)} not 200")
    return recovered, consistent


def main():
    args = fl.parse_args(__doc__.splitlines()[0], default_seed=16)
    # A time limit's TERM ends the run through `finally`: no host is left stopped or running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.time()
    results = Results()
    root = fl.make_temp_root("lc-hosts-")
    # Outside root (mkdtemp's 0700): as root the server runs as `postgres`, which must reach it.
    pg_dir = tempfile.mkdtemp(prefix="pl-pg.", dir="/tmp")
    cluster = None
    takeovers, kills_consistent, stalls_fenced = [], 0, 0
    try:
        cluster = Cluster(args.bin, os.path.join(root, "stack"), pg_dir)
        fl.log(f"cluster up: 3 hosts on 127.0.0.1:{cluster.url_port}, PostgreSQL in {pg_dir}, ttl {TTL} s")
        race(cluster, results, 12 if args.long else 4)
        pg_restart(cluster, results, 16 if args.long else 6)
        stalled = stall(cluster, results)
        if stalled:
            takeovers.append(stalled[0])
            stalls_fenced += 1 if stalled[1] else 0
        for k, kind, user in ((3, "install", "killed_install"), (2, "update", "killed_update")):
            recovered, consistent = kill_host(cluster, results, k, kind, user)
            kills_consistent += 1 if consistent else 0
            if recovered is not None:
                takeovers.append(recovered)
        for finding in cluster.findings():
            results.find(f"at the end: {finding}")
    finally:
        if cluster:
            cluster.stop()
        else:
            subprocess.run([str(fl.LAUNCHER), "stop", os.path.join(root, "stack")], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120, check=False)
        fl.PROCESSES.kill_all()
        fl.cleanup_dir(root)
        fl.cleanup_dir(pg_dir)

    fl.figure("hosts.takeover_seconds_max", round(max(takeovers), 2) if takeovers else -1)
    fl.figure("hosts.kills_consistent", kills_consistent)
    fl.figure("hosts.stalls_fenced", stalls_fenced)
    fl.figure("hosts.inconsistencies", len(results.findings))
    fl.figure("hosts.seconds", round(time.time() - started, 1))
    return fl.verdict("hosts", results.findings)


if __name__ == "__main__":
    sys.exit(main())
