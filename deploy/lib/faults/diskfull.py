#!/usr/bin/env python3
"""A full disk during install and update: clear error, previous state kept, nothing left behind.

Why: copying a plugin is the one step that needs real space, and it happens after the lease is
taken and before the commit. The contract (API.md) says a full disk is 507 insufficient_storage
with the operation rolled back; the CLI must say so plainly too. This harness puts the whole data
directory (database, catalog, plugins, staging: staging must share the plugins' file system) on
a small tmpfs, publishes a big version of a sample plugin (settings 2.0.0 with a 4 MiB asset),
fills the file system with a ballast file to several levels of free space below what the copy
needs (down to none at all, where even the database cannot grow), and at each level:

  * a fresh install (CLI and HTTP) fails with the disk-full error and leaves no row, no folder;
  * an update of an installed 1.0.10 (CLI and HTTP) fails the same way and 1.0.10 stays healthy;
  * no staging folder and no lease are left; faultlib.check_invariants holds for everyone.

Then the ballast is removed and the same install and update succeed. Without the privilege to
mount (not root, or no tmpfs) it fails in CI (the CI environment variable set, as .ci/run does:
CI runs as root, so a failed mount is a broken check, not a skip); elsewhere it prints SKIP and
`FIGURE diskfull.skipped 1` and exits 0.
The tmpfs is always unmounted in `finally`.

Usage: diskfull.py --bin /abs/plugin-lifecycle [--long] [--seed N]
"""

import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from faultlib import SETTINGS  # noqa: E402

TMPFS_BYTES = 16 * 1024 * 1024
BIG_ASSET_BYTES = 4 * 1024 * 1024
BIG_VERSION = "2.0.0"
DISK_FULL_TEXT = "disk filled up"  # LifecycleError.insufficientStorage's description


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill_to(data_dir, target_free):
    """Grows (or shrinks) the ballast so that about `target_free` bytes stay free."""
    ballast = os.path.join(data_dir, "ballast")
    current = os.path.getsize(ballast) if os.path.exists(ballast) else 0
    wanted = max(0, current + free_bytes(data_dir) - target_free)
    with open(ballast, "ab") as f:
        f.truncate(0)
        chunk = b"\0" * (1024 * 1024)
        written = 0
        try:
            while written < wanted:
                n = min(len(chunk), wanted - written)
                f.write(chunk[:n])
                written += n
            f.flush()
        except OSError:
            pass  # target 0: the file system is simply full
    return free_bytes(data_dir)


def make_big_package(root):
    """settings 1.0.10 with a 4 MiB asset, as version 2.0.0 (random bytes: no sparse files)."""
    package = os.path.join(root, "big-settings")
    shutil.copytree(fl.CATALOG / "braindrive-settings" / "1.0.10", package)
    for name in ("plugin.json", "package.json"):
        path = os.path.join(package, name)
        data = json.load(open(path))
        data["version"] = BIG_VERSION
        json.dump(data, open(path, "w"), indent=2)
    with open(os.path.join(package, "public", "big-asset.bin"), "wb") as f:
        f.write(os.urandom(BIG_ASSET_BYTES))
    return package


class Check:
    def __init__(self):
        self.findings = []
        self.checks = 0

    def expect(self, condition, text):
        self.checks += 1
        if not condition:
            self.findings.append(text)
            fl.log("FINDING: " + text)


def check_failed_cleanly(check, cli, where, user, expect_version):
    """After a refused install/update: the user's previous state, exactly, and nothing else."""
    state = fl.snapshot(cli.data_dir)
    row = state["plugins"].get((user, SETTINGS))
    check.expect((row["version"] if row else None) == expect_version,
                 f"{where}: {user} has {row['version'] if row else 'nothing'}, expected {expect_version or 'nothing'}")
    if expect_version:
        problem = fl.healthy_status(cli, user, SETTINGS)
        check.expect(problem is None, f"{where}: previous version not healthy: {problem}")
    else:
        check.expect(not os.path.exists(os.path.join(cli.data_dir, "plugins", user, SETTINGS)),
                     f"{where}: a folder was left for the refused fresh install")
    # A refused change has no audit event ("keeper" is only ever updated after space is freed).
    events = sum(n for (u, slug, action), n in state["audit"].items() if u == user and action in ("install", "update"))
    check.expect(events == (1 if expect_version else 0), f"{where}: {events} install/update audit events for {user}")
    for finding in fl.check_invariants(cli.data_dir, state=state):
        check.expect(False, f"{where}: {finding}")


def run_level(check, cli, stack, level, target_free, counter):
    free = fill_to(cli.data_dir, target_free)
    fl.log(f"level {level}: {free} bytes free (the new copy needs > {BIG_ASSET_BYTES})")
    fresh = f"fresh{counter}"
    code, out, err = cli.run("install", fresh, SETTINGS, "--version", BIG_VERSION)
    check.expect(code == 1 and DISK_FULL_TEXT in err,
                 f"{level} CLI install: exit {code}, stderr {err.strip()[:300]!r} (expected exit 1 and '{DISK_FULL_TEXT}')")
    check_failed_cleanly(check, cli, f"{level} CLI install", fresh, None)

    code, out, err = cli.run("update", "keeper", SETTINGS, "--version", BIG_VERSION)
    check.expect(code == 1 and DISK_FULL_TEXT in err,
                 f"{level} CLI update: exit {code}, stderr {err.strip()[:300]!r}")
    check_failed_cleanly(check, cli, f"{level} CLI update", "keeper", "1.0.10")

    for kind, user, previous in (("install", f"web{counter}", None), ("update", "keeper", "1.0.10")):
        status, headers, body = fl.api_call(stack, user, kind, SETTINGS, BIG_VERSION)
        try:
            code_name = json.loads(body).get("code")
        except ValueError:
            code_name = None
        check.expect(status == 507 and code_name == "insufficient_storage",
                     f"{level} HTTP {kind}: {status} {code_name} (expected 507 insufficient_storage): {body[:300]}")
        check_failed_cleanly(check, cli, f"{level} HTTP {kind}", user, previous)


def main():
    args = fl.parse_args(__doc__.splitlines()[0], default_seed=99)
    rand = fl.rng(args.seed)
    root = fl.make_temp_root("lc-diskfull-")
    data_dir = os.path.join(root, "data")
    os.makedirs(data_dir)
    mounted = False
    stack = None
    check = Check()
    started = time.time()
    try:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0750", "tmpfs", data_dir],
                                capture_output=True, text=True)
        if result.returncode != 0:
            reason = result.stderr.strip() or "no privilege"
            if os.environ.get("CI"):
                print(f"FAIL diskfull: cannot mount a tmpfs in CI ({reason}): the full-disk check did not run", flush=True)
                return 1
            print(f"SKIP diskfull: cannot mount a tmpfs ({reason}); outside CI only (CI fails here)", flush=True)
            fl.figure("diskfull.skipped", 1)
            return 0
        mounted = True
        cli = fl.Cli(args.bin, data_dir)
        cli.init()
        code, out, err = cli.run("publish", make_big_package(root))
        if code != 0:
            raise RuntimeError(f"publish failed: {err}")
        code, out, err = cli.run("install", "keeper", SETTINGS, "--version", "1.0.10")
        if code != 0:
            raise RuntimeError(f"install keeper failed: {err}")
        stack = fl.Stack(args.bin, os.path.join(root, "stack"), data_dir, workers=2, threads=2)

        # Free space levels below the 4 MiB copy: none at all, a little, most of it.
        levels = [0, 64 * 1024, 1024 * 1024, 3 * 1024 * 1024]
        if args.long:
            levels += [rand.randrange(0, BIG_ASSET_BYTES - 256 * 1024) for _ in range(36)]
        for counter, target in enumerate(levels):
            run_level(check, cli, stack, f"free~{target // 1024}KiB", target, counter)

        os.unlink(os.path.join(data_dir, "ballast"))
        fl.log(f"ballast removed: {free_bytes(data_dir)} bytes free")
        code, out, err = cli.run("install", "fresh0", SETTINGS, "--version", BIG_VERSION)
        check.expect(code == 0, f"after freeing space, CLI install failed: {err.strip()[:300]}")
        status, _, body = fl.api_call(stack, "keeper", "update", SETTINGS, BIG_VERSION)
        check.expect(status == 200, f"after freeing space, HTTP update answered {status}: {body[:300]}")
        for user in ("fresh0", "keeper"):
            problem = fl.healthy_status(cli, user, SETTINGS)
            check.expect(problem is None, f"after freeing space: {problem}")
        for finding in fl.check_invariants(data_dir):
            check.expect(False, f"after freeing space: {finding}")
        fl.figure("diskfull.levels", len(levels))
    finally:
        if stack:
            stack.stop()
        fl.PROCESSES.kill_all()
        if mounted:
            if subprocess.run(["umount", data_dir]).returncode != 0:
                subprocess.run(["umount", "-l", data_dir])
        fl.cleanup_dir(root)

    fl.figure("diskfull.seed", args.seed)
    fl.figure("diskfull.skipped", 0)
    fl.figure("diskfull.checks", check.checks)
    fl.figure("diskfull.inconsistencies", len(check.findings))
    fl.figure("diskfull.seconds", round(time.time() - started, 1))
    return fl.verdict("diskfull", check.findings)


if __name__ == "__main__":
    sys.exit(main())
