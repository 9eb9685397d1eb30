"""Install time against package bytes: sequential install + uninstall of published packages over
HTTP through nginx, one client (python http.client, one kept-alive connection), one user.

Usage: install_timing.py BASE_URL TOKEN_FILE --rows N --repeat K [--report FILE] PACKAGE_DIR...
TOKEN_FILE holds one token. Each PACKAGE_DIR is the folder that was published (its plugin.json
gives the slug; its files' sizes the bytes). An untimed warm-up round, then K timed rounds; each
round is one install + uninstall of every package in turn, so a burst of load from elsewhere on
the machine lands on all sizes alike. Dirty pages are flushed (sync) before each timed install:
an install's fsyncs then wait for its own writes, not for earlier ones. Prints, and appends to
FILE, one JSON line per package:
{"rows", "slug", "bytes", "files", "install_ms": [...], "uninstall_ms": [...], "failed": n}.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("token_file")
parser.add_argument("packages", nargs="+")
parser.add_argument("--rows", type=int, required=True)
parser.add_argument("--repeat", type=int, default=10)
parser.add_argument("--report")
args = parser.parse_args()

url = urllib.parse.urlsplit(args.base)
headers = {"Authorization": "Bearer " + open(args.token_file).read().strip(),
           "Content-Type": "application/json"}
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)


def call(method: str, path: str, expected: int) -> float | None:
    """Milliseconds for one request, or None when it did not answer `expected`."""
    started = time.perf_counter()
    connection.request(method, path, body=b"{}" if method == "POST" else None, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != expected:
        print(f"install_timing: {method} {path}: {response.status} {body[:300]!r}", file=sys.stderr)
        return None
    return elapsed


packages = []
for folder in args.packages:
    sizes = [os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(folder) for name in names]
    packages.append({"rows": args.rows, "slug": json.load(open(os.path.join(folder, "plugin.json")))["slug"],
                     "bytes": sum(sizes), "files": len(sizes), "install_ms": [], "uninstall_ms": [], "failed": 0})
for attempt in range(args.repeat + 1):
    for package in packages:
        os.sync()
        took = call("POST", f"/api/plugins/{package['slug']}/install", 201)
        back = call("DELETE", f"/api/plugins/{package['slug']}/uninstall", 200)
        if took is None or back is None:
            package["failed"] += 1
        elif attempt > 0:  # the first round warms caches and is not counted
            package["install_ms"].append(round(took, 2))
            package["uninstall_ms"].append(round(back, 2))
for package in packages:
    median = statistics.median(package["install_ms"]) if package["install_ms"] else float("nan")
    print(f"{args.rows} rows, {package['slug']} ({package['bytes']} bytes): install median {median:.1f} ms, "
          f"{package['failed']} failed", file=sys.stderr)
if args.report:
    with open(args.report, "a") as f:
        f.write("".join(json.dumps(package) + "\n" for package in packages))
