"""Grows deploy/bench's database to N rows in table `plugin` by cloning one real user's plugins.

Usage: seed_rows.py DB --template USER --rows N [--format u%06d] [--report FILE]

The template user was installed through the service, so its rows are what an install writes.
Each new user gets a copy of every one of the template's `plugin` rows with their `module` and
`installed_file` rows, under a generated user id (FORMAT: a prefix and a zero-padded number,
numbered on from the highest id with that prefix already in the table). Ids follow the contract:
plugin `{user_id}_{slug}`, module `{plugin_id}_{Name}`; each cloned plugin gets its own
operation id. Cloned users have rows but no files on disk: the bench never asks about them.

All rows of one call go in one transaction of INSERT ... SELECT statements over a recursive
CTE, so the work stays inside SQLite. The database is opened as the service opens it (WAL,
left as it is; foreign keys on; a busy timeout), so this is safe while the pool runs idle. The
WAL is checkpointed (TRUNCATE) afterwards so it does not keep the step's size on disk.
Prints one JSON line (target and actual rows, modules, files, users added, seconds of the
transaction and of the checkpoint, database bytes) and appends it to FILE with --report.
"""
import argparse
import json
import os
import re
import sqlite3
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("db")
parser.add_argument("--template", required=True, help="a user installed through the service")
parser.add_argument("--rows", type=int, required=True, help="plugin rows wanted in all")
parser.add_argument("--format", default="u%06d", help="new user ids: PREFIX%%0Nd")
parser.add_argument("--report", help="append the JSON line to this file too")
args = parser.parse_args()

shape = re.fullmatch(r"([A-Za-z0-9_]*)%0(\d+)d", args.format)
if not shape:
    sys.exit(f"seed_rows: --format must be PREFIX%0Nd, not {args.format!r}")
prefix, width = shape.group(1), int(shape.group(2))

db = sqlite3.connect(args.db, timeout=60, isolation_level=None)
db.execute("PRAGMA foreign_keys = ON")
db.execute("PRAGMA busy_timeout = 60000")
db.execute("PRAGMA cache_size = -262144")  # 256 MiB: the indexes being appended to stay cached
db.execute("PRAGMA temp_store = MEMORY")


def count(table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


started = time.monotonic()
db.execute("BEGIN IMMEDIATE")
per_user = db.execute("SELECT count(*) FROM plugin WHERE user_id = ?", (args.template,)).fetchone()[0]
if per_user == 0:
    sys.exit(f"seed_rows: the template user {args.template} has no plugins")
wanted = args.rows - count("plugin")
users = max(0, -(-wanted // per_user))
if users:
    # Numbered on from the highest existing id of this shape (an index range on plugin.user_id).
    highest = db.execute(
        "SELECT max(user_id) FROM plugin WHERE user_id BETWEEN ? AND ? AND length(user_id) = ?",
        (prefix + "0" * width, prefix + "9" * width, len(prefix) + width)).fetchone()[0]
    first = int(highest[len(prefix):]) + 1 if highest else 1
    last = first + users - 1
    if len(str(last)) > width:
        sys.exit(f"seed_rows: {args.format} has no room for {users} more users")
    # The template's rows, in key order, in TEMP tables: reading the target table while
    # inserting into it would make SQLite materialise the whole result first.
    cut = len(args.template) + 1  # ids continue after "{template}": the "_{slug}..." part
    db.execute("CREATE TEMP TABLE t_plugin AS SELECT * FROM plugin WHERE user_id = ? ORDER BY id",
               (args.template,))
    db.execute("CREATE TEMP TABLE t_module AS SELECT * FROM module WHERE user_id = ? ORDER BY plugin_id, name",
               (args.template,))
    db.execute("""CREATE TEMP TABLE t_file AS SELECT f.* FROM installed_file f JOIN t_plugin p ON p.id = f.plugin_id
                  ORDER BY f.plugin_id, f.path""")
    # n: the new users, in id order; CROSS JOIN keeps it the outer loop, so every index grows
    # at one end instead of at random places.
    users_cte = """WITH RECURSIVE n(i, u) AS (
                       SELECT :first, printf(:format, :first)
                       UNION ALL SELECT i + 1, printf(:format, i + 1) FROM n WHERE i < :last)"""
    values = {"first": first, "last": last, "format": args.format, "cut": cut}
    db.execute(users_cte + """
        INSERT INTO plugin (id, user_id, plugin_slug, name, version, description, author, scope,
                            bundle_location, enabled, installation_type, manifest_json, operation_id,
                            installed_at, updated_at)
        SELECT n.u || substr(t.id, :cut), n.u, t.plugin_slug, t.name, t.version, t.description, t.author,
               t.scope, t.bundle_location, t.enabled, t.installation_type, t.manifest_json,
               lower(hex(randomblob(16))), t.installed_at, t.updated_at
        FROM n CROSS JOIN t_plugin t""", values)
    db.execute(users_cte + """
        INSERT INTO module (id, plugin_id, user_id, name, display_name, description, icon, category,
                            priority, props, config_fields, required_services, layout, tags, enabled,
                            created_at, updated_at)
        SELECT n.u || substr(m.id, :cut), n.u || substr(m.plugin_id, :cut), n.u, m.name, m.display_name,
               m.description, m.icon, m.category, m.priority, m.props, m.config_fields,
               m.required_services, m.layout, m.tags, m.enabled, m.created_at, m.updated_at
        FROM n CROSS JOIN t_module m""", values)
    db.execute(users_cte + """
        INSERT INTO installed_file (plugin_id, path, size, sha256)
        SELECT n.u || substr(f.plugin_id, :cut), f.path, f.size, f.sha256
        FROM n CROSS JOIN t_file f""", values)
    for table in ("t_plugin", "t_module", "t_file"):
        db.execute(f"DROP TABLE temp.{table}")
db.execute("COMMIT")
seconds = time.monotonic() - started
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
checkpoint = time.monotonic() - started - seconds
size = sum(os.path.getsize(args.db + suffix) for suffix in ("", "-wal") if os.path.exists(args.db + suffix))
line = json.dumps({"target": args.rows, "rows": count("plugin"), "modules": count("module"),
                   "files": count("installed_file"), "users_added": users, "seconds": round(seconds, 2),
                   "checkpoint_seconds": round(checkpoint, 2), "db_bytes": size})
print(line)
if args.report:
    with open(args.report, "a") as f:
        f.write(line + "\n")
