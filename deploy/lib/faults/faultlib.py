"""Shared helpers for the fault-injection harnesses (crash.py, race.py, diskfull.py).

Why one module: every harness needs the same three things and they must agree exactly:
  * a data directory made by `plugin-lifecycle init` and, when HTTP is involved, the real stack
    (the `serve` pool on a unix socket behind nginx), started by deploy/stack as
    Tests/IntegrationTests/Support/Stack.swift starts it;
  * one way to call the CLI and the HTTP API;
  * one invariant checker that reads lifecycle.sqlite (read-only) and the disk independently of
    the service, so a bug in the service's own `status` cannot hide a bug in its writes.

Standard library only. Human progress goes to stderr, `FIGURE key value` lines to stdout.
"""

import argparse
import collections
import hashlib
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CATALOG = REPO / "deploy" / "catalog"
LAUNCHER = REPO / "deploy" / "stack"
METADATA_FILE = "plugin_metadata.json"

# Canonical slugs of the sample catalog (the service stores '-' as '_').
CHAT = "braindrive_chat"          # no dependencies
LIBRARY = "braindrive_library"    # depends on CHAT ^1.0.0
NETWORK = "braindrive_network"    # 1.0.0 and 1.1.0: updates
SETTINGS = "braindrive_settings"  # 1.0.0, 1.0.9, 1.0.10: updates (semver order, not string order)


# ---------------------------------------------------------------- output and arguments

_log_lock = threading.Lock()


def log(message):
    """A progress line for humans (stderr, flushed so a coordinator sees it live)."""
    with _log_lock:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def verdict(part, findings, shown=200):
    """The part's exit status: 1 with its findings listed on stderr (the first `shown`), else 0."""
    if findings:
        print(f"{part}: {len(findings)} findings:", file=sys.stderr)
        for finding in findings[:shown]:
            print("  - " + finding, file=sys.stderr)
        return 1
    log(f"{part}: no findings")
    return 0


def figure(key, value):
    """A machine-readable figure: `FIGURE key value` on stdout."""
    if isinstance(value, float):
        value = f"{value:.3f}"
    print(f"FIGURE {key} {value}", flush=True)


def parse_args(description, default_seed):
    """The interface every harness shares: --bin, --long, --seed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bin", required=True, help="absolute path of the plugin-lifecycle binary")
    parser.add_argument("--long", action="store_true", help="about 10x more work than the default")
    parser.add_argument("--seed", type=int, default=default_seed, help="random seed (default: fixed)")
    args = parser.parse_args()
    if not os.path.isabs(args.bin) or not os.access(args.bin, os.X_OK):
        parser.error(f"--bin must be an absolute path to an executable: {args.bin}")
    return args


def free_port():
    """A free loopback TCP port (the kernel picks it; a tiny reuse race is acceptable here)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_temp_root(prefix, memory=False):
    """A private temp folder; `memory` puts it on /dev/shm when there is one.

    crash.py uses memory: a SIGKILL loses no page cache (unlike a power cut), so fsync has no
    part in what it tests, and on this machine's disk fsync makes each operation ~4x slower.
    """
    if memory and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return tempfile.mkdtemp(prefix=prefix, dir="/dev/shm")
    return tempfile.mkdtemp(prefix=prefix)


# ---------------------------------------------------------------- processes

class Processes:
    """Every process a harness starts, so a `finally` can end them all (by pid, never by name)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._procs = []

    def add(self, proc):
        with self._lock:
            self._procs.append(proc)
        return proc

    def kill_all(self):
        with self._lock:
            procs, self._procs = self._procs, []
        for proc in procs:
            if proc.poll() is None:
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


PROCESSES = Processes()


def children(pid):
    """Direct children of `pid` (the pool's workers are children of the serve master)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def process_state(pid):
    """The state letter of /proc/PID/stat (R, S, D, Z...), or None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split(" ", 1)[0]


class Cli:
    """Runs `plugin-lifecycle <command> ... --data-dir DIR` as a user would."""

    def __init__(self, binary, data_dir):
        self.binary = binary
        self.data_dir = data_dir

    def _argv(self, args):
        return [self.binary, *args, "--data-dir", self.data_dir]

    def run(self, *args, env=None, timeout=120):
        """Runs to completion; returns (returncode, stdout, stderr). Negative code = killed by signal."""
        full_env = dict(os.environ)
        full_env.pop("PLUGIN_LIFECYCLE_FAULT", None)
        full_env.update(env or {})
        proc = PROCESSES.add(subprocess.Popen(self._argv(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                              env=full_env, text=True))
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            return -999, out, err + "\n(harness: timed out)"
        return proc.returncode, out, err

    def spawn(self, *args, env=None):
        """Starts without waiting (to be killed); stdout/stderr discarded."""
        full_env = dict(os.environ)
        full_env.pop("PLUGIN_LIFECYCLE_FAULT", None)
        full_env.update(env or {})
        return PROCESSES.add(subprocess.Popen(self._argv(args), stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, env=full_env))

    def json(self, *args, env=None):
        """Runs with --json; returns (returncode, parsed-or-None, stderr)."""
        code, out, err = self.run(*args, "--json", env=env)
        try:
            return code, json.loads(out), err
        except ValueError:
            return code, None, err

    def init(self):
        code, out, err = self.run("init", "--sample-catalog", str(CATALOG))
        if code != 0:
            raise RuntimeError(f"init failed ({code}): {out}{err}")

    def token(self, user, admin=False):
        args = ["token", user] + (["--admin"] if admin else [])
        code, out, err = self.run(*args)
        if code != 0:
            raise RuntimeError(f"token failed: {err}")
        return out.strip()


# ---------------------------------------------------------------- the stack

class Stack:
    """`serve` (workers x threads on a unix socket) + nginx on a free loopback port.

    Started by `deploy/stack start ROOT --foreground`, as Stack.swift starts it: the launcher
    execs the pool, so `self.pool` is the master itself. `env` goes to the pool only (e.g. a
    PLUGIN_LIFECYCLE_FAULT with :sleep= so requests are held at a point).
    """

    def __init__(self, binary, root, data_dir, workers=2, threads=4, env=None, api_rate="100000r/s"):
        self.binary, self.root, self.data_dir = binary, root, data_dir
        self.workers = workers
        self.port = free_port()
        self.pool = None
        self.cli = Cli(binary, data_dir)
        self._tokens = {}
        self._token_lock = threading.Lock()
        os.makedirs(root, exist_ok=True)
        self._start(threads, env or {}, api_rate)

    def _start(self, threads, env, api_rate):
        argv = [str(LAUNCHER), "start", self.root, "--foreground", "--bin", self.binary,
                "--data-dir", self.data_dir, "--port", str(self.port), "--workers", str(self.workers),
                "--threads", str(threads), "--api-rate", api_rate]
        for name, value in sorted(env.items()):
            argv += ["--env", f"{name}={value}"]
        argv += ["--", "--drain-timeout", "5"]
        launcher_env = dict(os.environ)
        launcher_env.pop("PLUGIN_LIFECYCLE_FAULT", None)
        launcher_log = os.path.join(self.root, "stack.log")
        with open(launcher_log, "ab") as log_file:
            self.pool = PROCESSES.add(subprocess.Popen(argv, stdout=log_file, stderr=log_file, env=launcher_env))
        facts = self._facts(launcher_log)
        self.socket_path = facts["STACK_SOCKET"]
        self.pool_log = facts["STACK_POOL_LOG"]
        deadline = time.time() + 30
        while time.time() < deadline and self.pool.poll() is None:
            try:
                status, _, _ = self.request("GET", "/api/plugins/health", timeout=5)
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        tail = Path(self.pool_log).read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"stack did not become healthy:\n{tail}")

    def _facts(self, launcher_log):
        """The launcher's KEY=value facts, written once nginx is up, before it becomes the pool."""
        path = Path(self.root, "stack.env")
        deadline = time.time() + 10
        while time.time() < deadline and self.pool.poll() is None and not path.exists():
            time.sleep(0.01)
        if not path.exists():
            self.stop()
            raise RuntimeError(f"deploy/stack did not start the stack:\n{Path(launcher_log).read_text(errors='replace')[-3000:]}")
        return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)

    def worker_pids(self):
        return children(self.pool.pid) if self.pool else []

    def wait_workers(self, timeout=20):
        """After a worker was killed, the supervisor restarts it; wait for the full pool again."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.worker_pids()) == self.workers:
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        """`deploy/stack stop`: nginx, then the master (TERM: it drains), then any worker left."""
        subprocess.run([str(LAUNCHER), "stop", self.root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=90, check=False)
        if self.pool and self.pool.poll() is None:
            self.pool.kill()
        if self.pool:
            self.pool.wait()

    def token(self, user):
        with self._token_lock:
            if user not in self._tokens:
                self._tokens[user] = self.cli.token(user)
            return self._tokens[user]

    def request(self, method, path, user=None, body=None, timeout=90):
        """One HTTP request on a fresh connection; returns (status, headers{lower: value}, body str)."""
        return http_request(self.port, method, path, self.token(user) if user is not None else None, body, timeout)


def http_request(port, method, path, token=None, body=None, timeout=90):
    """One HTTP request to 127.0.0.1:port on a fresh connection: (status, headers{lower: value}, body str)."""
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode(errors="replace")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text
    finally:
        conn.close()


def api_call(stack, user, kind, slug, version=None, cascade=False):
    """The HTTP form of one lifecycle operation."""
    if kind == "install":
        return stack.request("POST", f"/api/plugins/{slug}/install", user, body={"version": version} if version else {})
    if kind == "uninstall":
        return stack.request("DELETE", f"/api/plugins/{slug}/uninstall" + ("?cascade=true" if cascade else ""), user)
    if kind == "update":
        return stack.request("PUT", f"/api/plugins/{slug}/update", user, body={"version": version} if version else {})
    if kind == "repair":
        return stack.request("POST", f"/api/plugins/{slug}/repair", user, body={})
    if kind == "status":
        return stack.request("GET", f"/api/plugins/{slug}/status?verify=full", user)
    raise ValueError(kind)


# ---------------------------------------------------------------- reading the state

def connect_ro(data_dir):
    """Read-only connection: the harness must never change what it checks."""
    path = os.path.join(data_dir, "lifecycle.sqlite")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def snapshot(data_dir):
    """Everything the invariant needs from the database, read in one transaction."""
    conn = connect_ro(data_dir)
    try:
        conn.execute("BEGIN")
        plugins = {}
        for row in conn.execute("SELECT id, user_id, plugin_slug, version, operation_id, manifest_json FROM plugin"):
            plugins[(row[1], row[2])] = {"id": row[0], "version": row[3], "operation_id": row[4], "manifest": row[5]}
        files = collections.defaultdict(dict)
        for pid, path, size, sha in conn.execute("SELECT plugin_id, path, size, sha256 FROM installed_file"):
            files[pid][path] = (size, sha)
        modules = collections.defaultdict(set)
        for pid, name in conn.execute("SELECT plugin_id, name FROM module"):
            modules[pid].add(name)
        leases = [dict(zip(("user_id", "plugin_slug", "operation_id", "operation", "owner"), r)) for r in
                  conn.execute("SELECT user_id, plugin_slug, operation_id, operation, owner FROM operation_lease")]
        audit = collections.Counter()
        for user, slug, action in conn.execute("SELECT user_id, plugin_slug, action FROM audit_event"):
            audit[(user, slug, action)] += 1
        conn.execute("COMMIT")
        return {"plugins": plugins, "files": files, "modules": modules, "leases": leases, "audit": audit}
    finally:
        conn.close()


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_files(folder):
    """{relative path: (size, sha256)} of every regular file under `folder`."""
    result = {}
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, folder)
            if os.path.isfile(full) and not os.path.islink(full):
                result[rel] = (os.path.getsize(full), sha256_file(full))
            else:
                result[rel] = ("special", "")
    return result


def staging_entries(data_dir):
    """{staging folder name: user id from its operation.json, or None when unreadable}."""
    root = os.path.join(data_dir, "staging")
    result = {}
    for name in os.listdir(root) if os.path.isdir(root) else []:
        user = None
        try:
            user = json.loads(Path(root, name, "operation.json").read_text()).get("user_id")
        except (OSError, ValueError):
            pass
        result[name] = user
    return result


def check_invariants(data_dir, users=None, state=None):
    """The crash-consistency invariant for every (user, plugin) of `users` (None: everyone).

    For each user and plugin, either the plugin row is absent and plugins/{user}/{slug} does not
    exist, or the row is present and the folder holds exactly the recorded files with the
    recorded size and SHA-256, plugin_metadata.json names the row's version and operation and the
    same files, and the module rows are the manifest's modules. Also: no staging folder and no
    operation lease left. Returns a list of findings (empty = consistent).
    """
    state = state or snapshot(data_dir)
    plugins_root = os.path.join(data_dir, "plugins")
    findings = []
    wanted = (lambda u: True) if users is None else (lambda u: u in users)

    for (user, slug), row in sorted(state["plugins"].items()):
        if not wanted(user):
            continue
        where = f"{user}/{slug}"
        folder = os.path.join(plugins_root, user, slug)
        if not os.path.isdir(folder):
            findings.append(f"{where}: row at {row['version']} but folder missing")
            continue
        recorded = state["files"].get(row["id"], {})
        on_disk = tree_files(folder)
        if set(on_disk) != set(recorded):
            extra = sorted(set(on_disk) - set(recorded))[:5]
            missing = sorted(set(recorded) - set(on_disk))[:5]
            findings.append(f"{where}: files differ from installed_file rows (extra {extra}, missing {missing})")
        else:
            bad = [p for p in recorded if on_disk[p] != recorded[p]]
            if bad:
                findings.append(f"{where}: size/sha256 differ from installed_file rows: {sorted(bad)[:5]}")
        try:
            meta = json.loads(Path(folder, METADATA_FILE).read_text())
            if meta.get("version") != row["version"]:
                findings.append(f"{where}: metadata version {meta.get('version')} != row version {row['version']}")
            if meta.get("operation_id") != row["operation_id"]:
                findings.append(f"{where}: metadata operation {meta.get('operation_id')} != row operation {row['operation_id']}")
            meta_files = meta.get("files", {})
            rows_but_meta = {p: v[1] for p, v in recorded.items() if p != METADATA_FILE}
            if meta_files != rows_but_meta:
                findings.append(f"{where}: metadata file list differs from installed_file rows")
        except (OSError, ValueError) as error:
            findings.append(f"{where}: unreadable {METADATA_FILE}: {error}")
        try:
            expected_modules = {m["name"] for m in json.loads(row["manifest"]).get("modules", [])}
        except ValueError:
            expected_modules = None
        if expected_modules is not None and state["modules"].get(row["id"], set()) != expected_modules:
            findings.append(f"{where}: module rows {sorted(state['modules'].get(row['id'], set()))} != manifest {sorted(expected_modules)}")

    if os.path.isdir(plugins_root):
        for user in sorted(os.listdir(plugins_root)):
            if not wanted(user) or not os.path.isdir(os.path.join(plugins_root, user)):
                continue
            for slug in sorted(os.listdir(os.path.join(plugins_root, user))):
                if (user, slug) not in state["plugins"]:
                    findings.append(f"{user}/{slug}: folder on disk without a plugin row")

    # A folder killed before it wrote operation.json is attributed through its lease (same id).
    lease_users = {lease["operation_id"]: lease["user_id"] for lease in state["leases"]}
    entries = staging_entries(data_dir)
    if users is not None and any(u is None and n not in lease_users for n, u in entries.items()):
        # Another lane's operation may have started after our snapshot (lease taken, record not yet
        # written): look again a moment later, with fresh leases, before calling it a leftover.
        time.sleep(0.3)
        lease_users.update({lease["operation_id"]: lease["user_id"] for lease in snapshot(data_dir)["leases"]})
        entries = {n: u for n, u in staging_entries(data_dir).items() if n in entries}
    for name, user in sorted(entries.items()):
        user = user or lease_users.get(name)
        if users is None or user is None or wanted(user):
            try:
                inside = sorted(os.listdir(os.path.join(data_dir, "staging", name)))
            except OSError:
                inside = "?"
            findings.append(f"staging leftover {name} (user {user}, holds {inside})")
    for lease in state["leases"]:
        if wanted(lease["user_id"]):
            findings.append(f"lease left: {lease['user_id']}/{lease['plugin_slug']} {lease['operation']} owner {lease['owner']}")
    return findings


def healthy_status(cli, user, slug):
    """The service's own full verification (`status --full`) of one installed plugin; None if OK."""
    code, data, err = cli.json("status", user, slug, "--full")
    if code != 0 or data is None:
        return f"{user}/{slug}: status --full failed ({code}): {err.strip()[:200]}"
    if data.get("exists") and data.get("status") != "healthy":
        return f"{user}/{slug}: status --full says {data.get('status')} (missing {data['files']['missing'][:3]}, modified {data['files']['modified'][:3]})"
    return None


def cleanup_dir(path):
    if path and os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)


def rng(seed):
    log(f"seed {seed}")
    return random.Random(seed)
