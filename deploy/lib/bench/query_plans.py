"""EXPLAIN QUERY PLAN of the statements GET status, installed and available run (and the row
lookups of an install), as Sources/LifecycleStore issues them, on deploy/bench's database.

Usage: query_plans.py DB --rows N [--report FILE]
Appends to FILE one JSON line per query: {"rows", "query", "sql", "plan": [lines]}, and prints a
one-line summary plus any plan with SCAN (a full table scan: its cost grows with the table).
"""
import argparse
import json
import sqlite3

# (name, SQL): Sources/LifecycleStore/HotQueries.swift's statements, as the request path runs them
# (StoreTests.hotQueriesSearchIndexesAndNeverScan checks the same list from Swift on an empty
# database; this checks it at the bench's sizes), plus the row lookups of an install's commit.
QUERIES = [
    ("lease by (user_id, plugin_slug)", "SELECT * FROM operation_lease WHERE user_id = ? AND plugin_slug = ?"),
    ("leases by user_id", "SELECT * FROM operation_lease WHERE user_id = ?"),
    ("plugin by (user_id, plugin_slug)", "SELECT * FROM plugin WHERE user_id = ? AND plugin_slug = ?"),
    ("modules by plugin_id", "SELECT * FROM module WHERE plugin_id = ? ORDER BY id"),
    ("installed_file by plugin_id", "SELECT * FROM installed_file WHERE plugin_id = ? ORDER BY path"),
    ("status: plugin", "SELECT id, plugin_slug, version, enabled, manifest_json, installed_at FROM plugin "
                       "WHERE user_id = ? AND plugin_slug = ?"),
    ("status: modules", "SELECT plugin_id, id, name FROM module WHERE plugin_id = ? ORDER BY id"),
    ("status: files", "SELECT plugin_id, path, size, sha256 FROM installed_file WHERE plugin_id = ? ORDER BY path"),
    ("installed: plugins", "SELECT id, plugin_slug, version, enabled, manifest_json, installed_at FROM plugin "
                           "WHERE user_id = ? ORDER BY plugin_slug"),
    ("plugins by user_id", "SELECT * FROM plugin WHERE user_id = ? ORDER BY plugin_slug"),
    ("available: installed versions", "SELECT plugin_slug, version FROM plugin WHERE user_id = ?"),
    ("installed: modules", "SELECT module.plugin_id, module.id, module.name FROM plugin "
                           "JOIN module ON module.plugin_id = plugin.id WHERE plugin.user_id = ? "
                           "ORDER BY module.plugin_id, module.id"),
    ("installed: files", "SELECT installed_file.plugin_id, installed_file.path, installed_file.size, "
                         "installed_file.sha256 FROM plugin JOIN installed_file ON installed_file.plugin_id = plugin.id "
                         "WHERE plugin.user_id = ? ORDER BY installed_file.plugin_id, installed_file.path"),
    ("plugin by id (install commit)", "SELECT * FROM plugin WHERE id = ?"),
    ("lease by operation_id (commit)", "SELECT COUNT(*) FROM operation_lease WHERE operation_id = ?"),
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
