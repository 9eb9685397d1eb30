"""deploy/bench's scaling tables: GET status / GET installed against the number of installed
plugins, the hot queries' plans, and install time against package bytes and installed plugins.

Usage: scaling_report.py SCALING_DIR   (report.py calls report() and adds its checks to its targets)
SCALING_DIR holds what the bench's scaling section wrote: `steps` (seed_rows.py), `wrk`
(parse_wrk.py lines named status-TARGET / installed-TARGET), `plans` (query_plans.py) and
`installs` (install_timing.py); TARGET is the step's wanted row count.
"""
import json
import os
import statistics
import sys

# "Flat": no size is worse than the smallest size's figure by more than this factor (req/s not
# below 1/FLAT of it, p99 and install time not above FLAT times it). Better figures at larger
# sizes are the shared machine's noise, not a cost of size, and do not count against it.
FLAT = 1.5
Check = tuple[str, bool]


def _json_lines(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]


def _wrk_lines(path: str) -> dict[str, dict]:
    """The best run (highest req/s) of each name; failures summed over all its runs."""
    runs: dict[str, dict] = {}
    if os.path.exists(path):
        for line in open(path):
            # The first seven of run_wrk's fields (context switches per request follow).
            name, rps, p50, p99, ok, bad, errors = line.split()[:7]
            run = dict(rps=float(rps), p50=float(p50), p99=float(p99), ok=int(ok),
                       failed=int(bad) + int(errors), runs=1)
            if name in runs:
                best = runs[name]
                run["failed"] += best["failed"]
                run["runs"] += best["runs"]
                if best["rps"] >= run["rps"]:
                    run = {**best, "failed": run["failed"], "runs": run["runs"]}
            runs[name] = run
    return runs


def _short(rows: int) -> str:
    """1000 -> 1k, 1000000 -> 1M, 2500 -> 2500."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if rows >= size and rows % size == 0:
            return f"{rows // size}{unit}"
    return str(rows)


def _row(cells: list[tuple[str, int]], left: int = 0) -> str:
    """A table row: each (text, width) right-aligned, the first `left` ones left-aligned."""
    aligned = (f"{text:{'<' if i < left else '>'}{width}}" for i, (text, width) in enumerate(cells))
    return "| " + " | ".join(aligned) + " |"


def _rule(widths: list[int]) -> str:
    return "|" + "|".join("-" * (width + 2) for width in widths) + "|"


def _throughput(steps: dict[int, dict], wrk: dict[str, dict]) -> list[Check]:
    """The rows | status | installed table; the two flatness checks."""
    targets = sorted(steps)
    first = targets[0]
    base_rows = steps[first]["rows"]
    runs = max((run["runs"] for run in wrk.values()), default=0)
    print(f"\nscaling: GET status and GET installed as installed plugins grow from {base_rows:,} to "
          f"{steps[targets[-1]]['rows']:,} rows (wrk on the measured users, installed through the service; "
          f"the other users are cloned rows; best of {runs} runs); x{_short(base_rows)} = ratio to the "
          f"{base_rows:,}-row figure\n")
    widths = [11, 9, 10, 7, 6, 12, 5, 7, 5, 15, 5, 7, 5, 7]
    x = "x" + _short(base_rows)
    print(_row(list(zip(["plugin rows", "modules", "files", "db MiB", "seed s", "status req/s", x, "p99 ms",
                         x, "installed req/s", x, "p99 ms", x, "non-2xx"], widths))))
    print(_rule(widths))
    ratios = {"status": [], "installed": []}
    failures = {"status": 0, "installed": 0}
    for target in targets:
        step = steps[target]
        cells = [f"{step['rows']:,}", f"{step['modules']:,}", f"{step['files']:,}",
                 f"{step['db_bytes'] / 1048576:.0f}", f"{step['seconds'] + step['checkpoint_seconds']:.1f}"]
        for mode in ("status", "installed"):
            now, base = wrk.get(f"{mode}-{target}"), wrk.get(f"{mode}-{first}")
            if not (now and base):
                cells += ["-"] * 4
                continue
            rps_ratio, p99_ratio = now["rps"] / base["rps"], now["p99"] / base["p99"]
            ratios[mode].append((rps_ratio, p99_ratio))
            failures[mode] += now["failed"]
            cells += [f"{now['rps']:.0f}", f"{rps_ratio:.2f}x", f"{now['p99']:.2f}", f"{p99_ratio:.2f}x"]
        cells.append(str(sum(wrk.get(f"{mode}-{target}", {}).get("failed", 0) for mode in ratios)))
        print(_row(list(zip(cells, widths))))
    checks = []
    for mode in ("status", "installed"):
        worst_rps = min((r for r, _ in ratios[mode]), default=0.0)
        worst_p99 = max((p for _, p in ratios[mode]), default=float("inf"))
        met = len(ratios[mode]) == len(targets) and worst_rps >= 1 / FLAT and worst_p99 <= FLAT and not failures[mode]
        span = f"{_short(base_rows)}→{_short(steps[targets[-1]]['rows'])}"
        checks.append((f"{mode} flat {span} (within {FLAT}x): lowest req/s {worst_rps:.2f}x and highest p99 "
                       f"{worst_p99:.2f}x the {_short(base_rows)} figure, {failures[mode]} non-2xx/errors", met))
    return checks


def _plans(plans: list[dict], rows: dict[int, int]) -> list[Check]:
    """The plans at the largest size; any SCAN at any size; the no-SCAN check."""
    last = max(rows)
    scans = [plan for plan in plans if any("SCAN" in line for line in plan["plan"])]
    print(f"\nquery plans of the hot queries at {rows[last]:,} rows (every size checked for SCAN):")
    for plan in plans:
        if plan["rows"] == last or plan in scans:
            at = "" if plan["rows"] == last else f" (at {rows.get(plan['rows'], plan['rows']):,} rows)"
            flag = "  <-- SCAN: a full table scan" if plan in scans else ""
            print(f"  {plan['query'] + at:<34} {'; '.join(plan['plan'])}{flag}")
    return [(f"no SCAN in hot query plans ({len(plans)} plans, {len(scans)} with SCAN)", bool(plans) and not scans)]


def _installs(installs: list[dict], rows: dict[int, int]) -> list[Check]:
    """Install time per package size at the smallest and largest size; the independence check."""
    by_slug: dict[str, dict[int, dict]] = {}
    for line in installs:
        by_slug.setdefault(line["slug"], {})[line["rows"]] = line
    if not by_slug:
        return [("install time independent of users: no figures", False)]
    measured = sorted({line["rows"] for line in installs})
    low, high = measured[0], measured[-1]
    low_rows, high_rows = rows.get(low, low), rows.get(high, high)
    print(f"\ninstall time against package bytes, at {low_rows:,} and {high_rows:,} installed plugins "
          f"(one client, sequential install + uninstall over HTTP, medians)\n")
    widths = [16, 10, 5, 13, 6, 13, 6, 6, 12, 6]
    print(_row(list(zip(["package", "bytes", "files", f"ms @{low_rows:,}", "MB/s", f"ms @{high_rows:,}", "MB/s",
                         "ratio", "uninstall ms", "failed"], widths)), left=1))
    print(_rule(widths))
    ratios, failed = [], 0
    for slug, points in sorted(by_slug.items(), key=lambda item: min(p["bytes"] for p in item[1].values())):
        a, b = points.get(low), points.get(high)
        if not (a and b and a["install_ms"] and b["install_ms"]):
            print(f"| {slug:<16} | incomplete: measured at {sorted(points)} rows |")
            ratios.append(float("inf"))
            continue
        ms_a, ms_b = statistics.median(a["install_ms"]), statistics.median(b["install_ms"])
        ratios.append(ms_b / ms_a)
        failed += a["failed"] + b["failed"]
        uninstall = f"{statistics.median(a['uninstall_ms']):.0f} / {statistics.median(b['uninstall_ms']):.0f}"
        print(_row([(slug, 16), (f"{a['bytes']:,}", 10), (str(a["files"]), 5),
                    (f"{ms_a:.1f}", 13), (f"{a['bytes'] / ms_a / 1000:.1f}", 6), (f"{ms_b:.1f}", 13),
                    (f"{b['bytes'] / ms_b / 1000:.1f}", 6), (f"{ms_b / ms_a:.2f}x", 6), (uninstall, 12),
                    (str(a["failed"] + b["failed"]), 6)], left=1))
    met = max(ratios) <= FLAT and not failed
    return [(f"install time independent of users (within {FLAT}x): highest ratio {max(ratios):.2f}x of the "
             f"{_short(low_rows)} median, {failed} failed installs", met)]


def report(directory: str) -> list[Check]:
    """Prints the tables; returns the (label, met) checks for the targets list."""
    steps = {step["target"]: step for step in _json_lines(os.path.join(directory, "steps"))}
    if not steps:
        print("\nscaling: no figures")
        return [("scaling section ran", False)]
    rows = {target: step["rows"] for target, step in steps.items()}
    checks = _throughput(steps, _wrk_lines(os.path.join(directory, "wrk")))
    checks += _plans(_json_lines(os.path.join(directory, "plans")), rows)
    checks += _installs(_json_lines(os.path.join(directory, "installs")), rows)
    return checks


if __name__ == "__main__":
    results = report(sys.argv[1])
    print("\ntargets (issue 5, scaling):")
    for label, met in results:
        print(f"  {'met    ' if met else 'NOT met'}  {label}")
