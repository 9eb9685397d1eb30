#!/usr/bin/env python3
"""Checks the unit's SystemCallFilter= against what the service really calls: reads strace -ff
output files (one per process) of the pool and its ExecStartPre lines, keeps each process's
calls from the moment it runs the service's binary (not the test's launcher before its execve),
and compares them with the filter's set as `systemd-analyze syscall-filter` defines it.

    syscalls.py --binary PATH --filter @system-service --groups FILE TRACE_FILE...

FILE is the output of `systemd-analyze syscall-filter` (every group with its members).
Prints the calls seen and any the filter would refuse; exits 1 if there are any.
Standard library only.
"""
import argparse
import re
import sys

CALL = re.compile(r"^(?:\d+ +)?([a-z_][a-z0-9_]*)\(")


def groups_from(path):
    groups, current = {}, None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("@"):
                current = line.split()[0]
                groups[current] = []
            elif current and line.strip() and not line.strip().startswith("#"):
                groups[current].append(line.strip())
    return groups


def expand(groups, name, seen=None):
    seen = set() if seen is None else seen
    members = set()
    for member in groups.get(name, []):
        if member.startswith("@"):
            if member not in seen:
                seen.add(member)
                members |= expand(groups, member, seen)
        else:
            members.add(member)
    return members


def calls_in(path, binary):
    """The calls of one process, from its execve of `binary` on (or all of them when the process
    never exec'd: a thread or a child before its own execve, both already the service's code)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    start = 0
    for index, line in enumerate(lines):
        if line.startswith("execve(") and "= 0" in line:
            start = index if f'"{binary}"' in line.split(",")[0] else None
    if start is None:
        return set()  # the process ended up in another program (the launcher's python, etc.)
    return {m.group(1) for m in map(CALL.match, lines[start:]) if m}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--filter", required=True)
    parser.add_argument("--groups", required=True)
    parser.add_argument("traces", nargs="+")
    args = parser.parse_args()
    groups = groups_from(args.groups)
    if args.filter not in groups:
        sys.exit(f"{args.groups}: no group {args.filter}")
    allowed = expand(groups, args.filter)
    used = set()
    for trace in args.traces:
        used |= calls_in(trace, args.binary)
    if not used:
        sys.exit("no system call of the service's binary found in the traces")
    refused = sorted(used - allowed)
    print(f"  {len(used)} distinct system calls in {len(args.traces)} processes: {' '.join(sorted(used))}")
    if refused:
        print(f"  outside {args.filter}: {' '.join(refused)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
