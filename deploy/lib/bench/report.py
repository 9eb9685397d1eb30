"""deploy/bench's tables: each figure as a ratio to the references measured in the same run; the
cycle against its durable-copy floor, the workers' memory, the reflink footprint, other pool
shapes, the scaling section (scaling_report.py) when given; then every target.

Usage: report.py RESULTS --floor FILE --memory FIRST LAST --memory-marks N N --workers N --threads N
                 --connections N --seconds S --users N --real-users N
                 [--shapes FILE] [--reflink FILE] [--scaling DIR]
RESULTS and --shapes lines: "name rps p50_ms p99_ms ok non2xx errors app_cs sys_cs" (run_wrk in
deploy/bench; --shapes names are "WORKERSxTHREADS:run"). --floor: "cycles seconds concurrency"
(durable_copy.py). --memory lines: "pid requests uss_kib shared_kib rss_kib peak_kib".
--reflink: "measured users logical_bytes used_bytes db_bytes" or "skipped REASON".
"""
import argparse
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("results")
parser.add_argument("--floor", required=True)
parser.add_argument("--memory", nargs=2, required=True)
parser.add_argument("--memory-marks", nargs=2, type=int, required=True)
for option in ("workers", "threads", "connections", "seconds", "users", "real_users"):
    parser.add_argument("--" + option.replace("_", "-"), type=int, required=True)
parser.add_argument("--shapes", help="runs in other pool shapes")
parser.add_argument("--reflink", help="reflink_footprint.sh's line")
parser.add_argument("--scaling", help="the scaling section's folder (scaling_report.py)")
parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite", help="where the service keeps its rows")
args = parser.parse_args()
MIB = 1 << 20


def wrk_rows(path: str) -> dict[str, dict]:
    rows = {}
    for line in open(path):
        name, rps, p50, p99, ok, bad, errors, app_cs, sys_cs = line.split()
        rows[name] = dict(rps=float(rps), p50=float(p50), p99=float(p99), ok=int(ok), bad=int(bad),
                          errors=int(errors), app_cs=app_cs, sys_cs=float(sys_cs))
    return rows


rows = wrk_rows(args.results)
ceiling, transport = rows["nginx-return-200"], rows["c-libfcgi-hello"]

store = {"sqlite": "SQLite (WAL file)", "postgres": "PostgreSQL (a local server, unix socket)"}[args.store]
print(f"\nplugin-lifecycle bench, store {store}: {args.workers} workers x {args.threads} threads (the C reference the same), "
      f"wrk {args.connections} connections, {args.seconds} s per run, {args.users} users x 5 plugins seeded "
      f"({args.real_users} installed through the service, the rest cloned rows)\n")
print("context switches per request: of the processes serving the run (pool workers, C reference or uvicorn "
      "processes; nginx alone: -) and of the whole system\n")
print(f"| {'run':<22} | {'req/s':>9} | {'vs C libfcgi':>12} | {'vs nginx':>8} | {'p50 ms':>7} | {'p99 ms':>7} | "
      f"{'p99 vs C':>8} | {'cs/req':>6} | {'sys cs/req':>10} | {'non-2xx':>7} | {'errors':>6} |")
print("|" + "|".join("-" * (width + 2) for width in (22, 9, 12, 8, 7, 7, 8, 6, 10, 7, 6)) + "|")
for name, row in rows.items():
    print(f"| {name:<22} | {row['rps']:>9.0f} | {row['rps'] / transport['rps']:>11.0%} | "
          f"{row['rps'] / ceiling['rps']:>7.0%} | {row['p50']:>7.2f} | {row['p99']:>7.2f} | "
          f"{row['p99'] / transport['p99']:>7.2f}x | {row['app_cs']:>6} | {row['sys_cs']:>10.2f} | "
          f"{row['bad']:>7} | {row['errors']:>6} |")

status, fastapi = rows["get-status"], rows.get("fastapi-sqlite3-status")
# C doing each route's work (fcgi-status-work.c): what the work costs here, and the service's share of it.
print()
for route in ("status", "available", "installed"):
    same_work, service = rows.get(f"c-same-work-{route}"), rows.get(f"get-{route}")
    if same_work and service:
        print(f"C doing GET {route}'s work: {same_work['rps'] / transport['rps']:.2f}x the C hello; "
              f"the service {service['rps'] / same_work['rps']:.2f}x of it (req/s), p99 {service['p99'] / same_work['p99']:.2f}x its p99")
# The bundle rows (issue 19): the worker checks, nginx sends; as ratios to nginx sending the same
# 100 KiB file itself with no authorisation.
static_bundle = rows.get("nginx-static-bundle")
bundle_rows = [(label, rows.get(name)) for label, name in
               (("signed URL", "get-bundle-signed"), ("bearer token", "get-bundle-token"))]
accel = rows.get("c-accel-no-checks")
if static_bundle:
    print(f"\n100 KiB bundle, nginx alone: {static_bundle['rps']:.0f} req/s, p99 {static_bundle['p99']:.2f} ms")
    if accel:
        print(f"  through the C hello answering X-Accel-Redirect with no check (the redirect path's ceiling): "
              f"{accel['rps'] / static_bundle['rps']:.2f}x nginx's req/s, p99 {accel['p99'] / static_bundle['p99']:.2f}x")
    for label, row in bundle_rows:
        if row:
            print(f"  through the service, {label}: {row['rps'] / static_bundle['rps']:.2f}x nginx's req/s, "
                  f"p99 {row['p99'] / static_bundle['p99']:.2f}x its p99"
                  + (f"; {row['rps'] / accel['rps']:.2f}x the unchecked redirect's req/s" if accel else ""))
if fastapi:
    print(f"\nGET status: {status['rps'] / fastapi['rps']:.1f}x the FastAPI reference's req/s "
          f"(uvicorn, {args.workers} processes, PyJWT + sqlite3)")

cycle = rows["install-uninstall"]
cycles = cycle["ok"] / 2 / args.seconds
floor_cycles, floor_seconds, floor_concurrency = open(args.floor).read().split()
floor = int(floor_cycles) / float(floor_seconds)
print(f"\ninstall+uninstall of a 50-file, 1 MiB plugin: {cycles:.0f} cycles/s "
      f"({cycle['ok']} successful requests, {cycle['bad']} others)")
print(f"  durable-copy floor: {floor:.0f} cycles/s (the same files copied, fsynced, renamed into place and "
      f"removed the service's way, {floor_concurrency} at once); the service at {cycles / floor:.0%} of it")


def memory(path: str) -> dict[str, list[int]]:
    return {fields[0]: [int(value) for value in fields[1:]] for fields in (line.split() for line in open(path)) if fields}


first_mark, last_mark = args.memory_marks
first, last = memory(args.memory[0]), memory(args.memory[1])
growth = {}
print(f"\nworkers' memory (USS: private pages; shared: pages shared with other processes, mostly code), "
      f"from their {first_mark:,}th to their {last_mark:,}th request:")
for pid, (requests, uss, shared, rss, peak) in last.items():
    before = first.get(pid)
    growth[pid] = uss - before[1] if before else None
    start = (f"at {before[0]:,} requests USS {before[1] / 1024:.1f} MiB, shared {before[2] / 1024:.1f} MiB"
             if before else f"not sampled at {first_mark:,} (replaced?)")
    change = f"{growth[pid] / 1024:+.1f} MiB" if before else "growth unknown"
    print(f"  pid {pid}: {start}; at {requests:,} requests USS {uss / 1024:.1f} MiB ({change}), "
          f"shared {shared / 1024:.1f} MiB, RSS {rss / 1024:.1f} MiB, peak RSS {peak / 1024:.1f} MiB")

if args.reflink:
    kind, _, rest = open(args.reflink).read().strip().partition(" ")
    if kind == "measured":
        users, logical, used, database = (int(value) for value in rest.split())
        print(f"\nbytes on disk, bench-bulk installed for {users:,} users on XFS with reflink: "
              f"{logical / MIB:.1f} MiB of copies (apparent size), {used / MIB:.1f} MiB used on the file system "
              f"({database / MIB:.1f} MiB of it the database's growth): {logical / max(used, 1):.0f}:1")
    else:
        print(f"\nbytes on disk on a reflinking file system: not measured: {rest or 'reflink_footprint.sh gave no result'}")

if args.shapes:
    shapes = wrk_rows(args.shapes)
    print("\npool shapes (processes x threads; the C reference in the same shape):\n")
    print(f"| {'shape':<6} | {'status req/s':>12} | {'C req/s':>8} | {'vs C':>5} | {'status p99':>10} | {'C p99':>6} | "
          f"{'cs/req status':>13} | {'cs/req C':>8} |")
    print("|" + "|".join("-" * (width + 2) for width in (6, 12, 8, 5, 10, 6, 13, 8)) + "|")
    for shape in dict.fromkeys(name.split(":")[0] for name in shapes):
        get, hello = shapes[f"{shape}:get-status"], shapes[f"{shape}:c-libfcgi-hello"]
        print(f"| {shape:<6} | {get['rps']:>12.0f} | {hello['rps']:>8.0f} | {get['rps'] / hello['rps']:>5.0%} | "
              f"{get['p99']:>10.2f} | {hello['p99']:>6.2f} | {get['app_cs']:>13} | {hello['app_cs']:>8} |")

checks = [
    ("GET status >= 0.70x C libfcgi req/s", status["rps"] >= 0.70 * transport["rps"]),
    ("GET status p99 <= 1.5x C libfcgi p99", status["p99"] <= 1.5 * transport["p99"]),
    ("GET available >= 0.85x C libfcgi req/s", rows["get-available"]["rps"] >= 0.85 * transport["rps"]),
    ("GET installed >= 0.50x C libfcgi req/s", rows["get-installed"]["rps"] >= 0.50 * transport["rps"]),
]
if fastapi:
    checks.append(("GET status >= 4x FastAPI req/s", status["rps"] >= 4 * fastapi["rps"]))
if static_bundle:
    checks += [(f"bundle by {label} >= 0.6x nginx's own static req/s", bool(row) and row["rps"] >= 0.6 * static_bundle["rps"])
               for label, row in bundle_rows]
checks += [
    ("install+uninstall >= 100 cycles/s", cycles >= 100),
    ("install+uninstall within 1.5x the durable-copy floor", cycles >= floor / 1.5),
    ("USS <= 16 MiB per worker", all(sample[1] <= 16 * 1024 for sample in [*first.values(), *last.values()])),
    # Flat: within 1 MiB (allocator noise), for every worker sampled at both marks.
    (f"USS flat from {first_mark:,} to {last_mark:,} requests (growth <= 1 MiB)",
     bool(growth) and all(g is not None and g <= 1024 for g in growth.values())),
]
if args.scaling:
    sys.dont_write_bytecode = True  # no __pycache__ in the checkout
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scaling_report
    checks += scaling_report.report(args.scaling)

print("\ntargets (issues 15 and 19):")
for label, met in checks:
    print(f"  {'met    ' if met else 'NOT met'}  {label}")
