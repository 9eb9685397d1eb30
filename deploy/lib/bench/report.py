"""deploy/bench's table: each figure as a ratio to the references measured in the same run;
then the scaling section's tables (scaling_report.py) when given, and every target.

Usage: report.py RESULTS MEMORY_AT_50K MEMORY_AT_100K --workers N --threads N --connections N --seconds S
                 --users N --real-users N [--scaling DIR]
RESULTS lines: "name rps p50_ms p99_ms ok non2xx errors" (parse_wrk.py); MEMORY lines:
"pid peak_kib current_kib".
"""
import argparse
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("results")
parser.add_argument("memory_50k")
parser.add_argument("memory")
for option in ("workers", "threads", "connections", "seconds", "users", "real_users"):
    parser.add_argument("--" + option.replace("_", "-"), type=int, required=True)
parser.add_argument("--scaling", help="the scaling section's folder (scaling_report.py)")
args = parser.parse_args()

rows = {}
for line in open(args.results):
    name, rps, p50, p99, ok, bad, errors = line.split()
    rows[name] = dict(rps=float(rps), p50=float(p50), p99=float(p99), ok=int(ok), bad=int(bad), errors=int(errors))
ceiling, transport = rows["nginx-return-200"], rows["c-libfcgi-hello"]

print(f"\nplugin-lifecycle bench: {args.workers} workers x {args.threads} threads (the C reference the same), "
      f"wrk {args.connections} connections, {args.seconds} s per run, {args.users} users x 5 plugins seeded "
      f"({args.real_users} installed through the service, the rest cloned rows)\n")
print(f"| {'run':<20} | {'req/s':>9} | {'vs C libfcgi':>12} | {'vs nginx':>8} | {'p50 ms':>7} | {'p99 ms':>7} | "
      f"{'p99 vs C':>8} | {'non-2xx':>7} | {'errors':>6} |")
print(f"|{'-' * 22}|{'-' * 11}|{'-' * 14}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 10}|{'-' * 9}|{'-' * 8}|")
for name, row in rows.items():
    print(f"| {name:<20} | {row['rps']:>9.0f} | {row['rps'] / transport['rps']:>11.0%} | "
          f"{row['rps'] / ceiling['rps']:>7.0%} | {row['p50']:>7.2f} | {row['p99']:>7.2f} | "
          f"{row['p99'] / transport['p99']:>7.2f}x | {row['bad']:>7} | {row['errors']:>6} |")

cycle = rows.get("install-uninstall")
if cycle:
    cycles = cycle["ok"] / 2 / args.seconds
    print(f"\ninstall+uninstall of a 50-file, 1 MiB plugin: {cycles:.0f} cycles/s "
          f"({cycle['ok']} successful requests, {cycle['bad']} others)")

memory = [line.split() for line in open(args.memory) if line.strip()]
at_50k = {fields[0]: int(fields[2]) for fields in (line.split() for line in open(args.memory_50k) if line.strip())}
growth = {}
if memory:
    print("workers' resident memory (about 100,000 requests each):")
    for pid, peak, now, private, shared, pss in memory:
        before = at_50k.get(pid)
        growth[pid] = int(now) - before if before is not None else None
        change = f"{growth[pid] / 1024:+.1f} MiB since 50,000" if before is not None else "not sampled at 50,000 (replaced?)"
        print(f"  pid {pid}: now {int(now) / 1024:.1f} MiB, peak {int(peak) / 1024:.1f} MiB, {change}; "
              f"private {int(private) / 1024:.1f} MiB + shared code {int(shared) / 1024:.1f} MiB (PSS {int(pss) / 1024:.1f} MiB)")

checks = [
    ("GET status >= 70% of C libfcgi req/s", rows["get-status"]["rps"] / transport["rps"] >= 0.70),
    ("GET status p99 <= 1.5x C libfcgi p99", rows["get-status"]["p99"] <= 1.5 * transport["p99"]),
    ("GET available >= 85% of C libfcgi req/s", rows["get-available"]["rps"] / transport["rps"] >= 0.85),
]
if cycle:
    checks.append(("install+uninstall >= 100 cycles/s", cycles >= 100))
if memory:
    checks.append(("each worker under 30 MiB resident", all(int(fields[2]) < 30 * 1024 for fields in memory)))
    # "No growth": within 1 MiB (allocator noise), for workers sampled at both marks.
    checks.append(("no growth from 50,000 to 100,000 requests",
                   all(g is not None and g <= 1024 for g in growth.values())))
if args.scaling:
    sys.dont_write_bytecode = True  # no __pycache__ in the checkout
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scaling_report
    checks += scaling_report.report(args.scaling)

print("\ntargets (issue 5):")
for label, met in checks:
    print(f"  {'met    ' if met else 'NOT met'}  {label}")
