"""EXPLAIN QUERY PLAN of the queries GET status and GET installed run (and the row lookups of an
install), as Sources/LifecycleStore issues them, on deploy/bench's database at its current size.

Usage: query_plans.py DB --rows N [--report FILE]
Appends to FILE one JSON line per query: {"rows", "query", "sql", "plan": [lines]}, and prints a
one-line summary plus any plan with SCAN (a full table scan: its cost grows with the table).
"""
import argparse
import json
import sqlite3

# (name, SQL): the statements GRDB builds for PluginQueries.swift and LeaseQueries.swift.
QUERIES = [
    ("plugin by (user_id, plugin_slug)",
     'SELECT * FROM "plugin" WHERE ("user_id" = ?) AND ("plugin_slug" = ?) LIMIT 1'),
    ("modules by plugin_id", 'SELECT * FROM "module" WHERE "plugin_id" = ? ORDER BY "id"'),
    ("installed_file by plugin_id", 'SELECT * FROM "installed_file" WHERE "plugin_id" = ? ORDER BY "path"'),
    ("plugins by user_id", 'SELECT * FROM "plugin" WHERE "user_id" = ? ORDER BY "plugin_slug"'),
    ("lease by (user_id, plugin_slug)",
     'SELECT * FROM "operation_lease" WHERE ("user_id" = ?) AND ("plugin_slug" = ?) LIMIT 1'),
    ("leases by user_id", 'SELECT * FROM "operation_lease" WHERE "user_id" = ?'),
    ("installed versions by user_id", "SELECT plugin_slug, version FROM plugin WHERE user_id = ?"),
    ("plugin by id (install commit)", 'SELECT * FROM "plugin" WHERE "id" = ?'),
    ("lease by operation_id (commit)", 'SELECT COUNT(*) FROM "operation_lease" WHERE "operation_id" = ?'),
]

parser = argparse.ArgumentParser()
parser.add_argument("db")
parser.add_argument("--rows", type=int, required=True)
parser.add_argument("--report")
args = parser.parse_args()

db = sqlite3.connect(args.db, timeout=60)
db.execute("PRAGMA busy_timeout = 60000")
lines, scans = [], 0
for name, sql in QUERIES:
    arguments = ("u000001", "braindrive_network")[: sql.count("?")]
    plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, arguments)]
    lines.append(json.dumps({"rows": args.rows, "query": name, "sql": sql, "plan": plan}))
    if any("SCAN" in line for line in plan):
        scans += 1
        print(f"SCAN in {name}: {'; '.join(plan)}")
print(f"query plans at {args.rows} rows: {len(QUERIES)} queries, {scans} with SCAN")
if args.report:
    with open(args.report, "a") as f:
        f.write("\n".join(lines) + "\n")
