"""The durable-copy floor of deploy/bench's install+uninstall cycle: the file system's share of a
cycle alone, with the service's durability steps and nothing else (no database, no HTTP).

Usage: durable_copy.py PACKAGE_FOLDER WORK_FOLDER --concurrency N --seconds S
Prints "cycles seconds concurrency": cycles completed by N threads, each looping on a user of
its own until S seconds have passed.

A cycle does what LifecycleCore does (PackageCopier, placeCopy, uninstall), in the same order:
  install    copy every file into staging/ID/new (cp's way: a reflink, else copy_file_range),
             fsync the files (batches of 64 open, as SyncBatch), fsync each new folder, deepest
             first; rename into users/USER/SLUG; fsync users/USER.
  uninstall  rename users/USER/SLUG into staging; fsync users/USER (what makes it durable);
             remove the staging folder.
The copies are made in process rather than by running cp: a process per copy would slow the
floor down and flatter the service's ratio.
"""
import argparse
import fcntl
import os
import shutil
import sys
import threading
import time

FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
SYNC_BATCH = 64

parser = argparse.ArgumentParser()
parser.add_argument("package")
parser.add_argument("work")
parser.add_argument("--concurrency", type=int, required=True)
parser.add_argument("--seconds", type=float, required=True)
args = parser.parse_args()

files = sorted(os.path.relpath(os.path.join(folder, name), args.package)
               for folder, _, names in os.walk(args.package) for name in names)


def fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_contents(source: int, target: int) -> None:
    try:
        fcntl.ioctl(target, FICLONE, source)
        return
    except OSError:
        pass  # not a reflinking file system: copy the bytes in the kernel
    while os.copy_file_range(source, target, 1 << 30) > 0:
        pass


def install(staging: str, target: str) -> None:
    new = os.path.join(staging, "new")
    made = {new}
    os.makedirs(new)
    unsynced = []
    for path in files:
        destination = os.path.join(new, path)
        folder = os.path.dirname(destination)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        source = os.open(os.path.join(args.package, path), os.O_RDONLY)
        try:
            output = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            copy_contents(source, output)
        finally:
            os.close(source)
        unsynced.append(output)
        if len(unsynced) >= SYNC_BATCH:
            sync_all(unsynced)
    sync_all(unsynced)
    for folder in sorted(made, key=len, reverse=True):
        fsync_path(folder)
    os.rename(new, target)
    fsync_path(os.path.dirname(target))


def sync_all(descriptors: list) -> None:
    for fd in descriptors:
        os.fsync(fd)
        os.close(fd)
    descriptors.clear()


def uninstall(staging: str, target: str) -> None:
    os.makedirs(staging)
    os.rename(target, os.path.join(staging, "old"))
    fsync_path(os.path.dirname(target))
    shutil.rmtree(staging)


counts = [0] * args.concurrency
failures = []
deadline = time.monotonic() + args.seconds


def loop(index: int) -> None:
    try:
        cycles(index)
    except OSError as error:
        failures.append(error)


def cycles(index: int) -> None:
    user = os.path.join(args.work, "users", f"floor{index:04d}")
    os.makedirs(user, exist_ok=True)
    target = os.path.join(user, "bench_bulk")
    staging = os.path.join(args.work, "staging", f"floor{index:04d}")
    while time.monotonic() < deadline:
        install(staging + "-install", target)
        os.rmdir(staging + "-install")  # empty once renamed, as the service's staging after commit
        uninstall(staging + "-uninstall", target)
        counts[index] += 1


started = time.monotonic()
threads = [threading.Thread(target=loop, args=(i,)) for i in range(args.concurrency)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
if failures:
    sys.exit(f"durable_copy: {failures[0]}")
print(f"{sum(counts)} {time.monotonic() - started:.3f} {args.concurrency}")
