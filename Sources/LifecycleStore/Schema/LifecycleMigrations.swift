import GRDB

/// The schema, as named append-only migrations: never edit a released one, add the next.
enum LifecycleMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-user-scoped-plugins") { db in
            // Ids follow the contract: plugin `{user_id}_{slug}`, module `{plugin_id}_{Name}`.
            try db.execute(sql: """
                CREATE TABLE plugin (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL,
                    plugin_slug TEXT NOT NULL,
                    name TEXT NOT NULL,
                    version TEXT NOT NULL,
                    description TEXT,
                    author TEXT,
                    scope TEXT,
                    bundle_location TEXT,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    installation_type TEXT NOT NULL DEFAULT 'user-scoped',
                    manifest_json TEXT NOT NULL,
                    -- The operation that wrote the folder on disk (its plugin_metadata.json says the same):
                    -- how recovery tells the committed copy from an uncommitted one.
                    operation_id TEXT NOT NULL,
                    installed_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    UNIQUE (user_id, plugin_slug)
                );
                CREATE INDEX plugin_on_user_id ON plugin(user_id);
                CREATE INDEX plugin_on_plugin_slug ON plugin(plugin_slug);

                -- Keyed by (plugin_id, name): the contract's module id `{plugin_id}_{Name}` can
                -- collide between two plugins of one user (`a` + `b_C` and `a_b` + `C`).
                CREATE TABLE module (
                    id TEXT NOT NULL,
                    plugin_id TEXT NOT NULL REFERENCES plugin(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    display_name TEXT,
                    description TEXT,
                    icon TEXT,
                    category TEXT,
                    priority INTEGER,
                    props TEXT,
                    config_fields TEXT,
                    required_services TEXT,
                    layout TEXT,
                    tags TEXT,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (plugin_id, name)
                );
                CREATE INDEX module_on_id ON module(id);
                CREATE INDEX module_on_user_id ON module(user_id);

                CREATE TABLE installed_file (
                    plugin_id TEXT NOT NULL REFERENCES plugin(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    PRIMARY KEY (plugin_id, path)
                ) WITHOUT ROWID;

                CREATE TABLE audit_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    plugin_slug TEXT,
                    action TEXT NOT NULL,
                    from_version TEXT,
                    to_version TEXT,
                    outcome TEXT NOT NULL,
                    request_id TEXT,
                    detail TEXT
                );
                CREATE INDEX audit_event_on_user_id ON audit_event(user_id, id);

                -- One row per (user, plugin) under change: the database, not process memory,
                -- decides who owns an operation. Deleted in the transaction that commits it,
                -- so a surviving row means "not committed" and its staging folder is rolled back.
                CREATE TABLE operation_lease (
                    user_id TEXT NOT NULL,
                    plugin_slug TEXT NOT NULL,
                    operation_id TEXT NOT NULL UNIQUE,
                    operation TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    expires_at REAL NOT NULL,
                    PRIMARY KEY (user_id, plugin_slug)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-shares") { db in
            // An offer of one user's installed version to another; it installs nothing until accepted.
            try db.execute(sql: """
                CREATE TABLE share (
                    id TEXT PRIMARY KEY NOT NULL,
                    plugin_slug TEXT NOT NULL,
                    version TEXT NOT NULL,
                    from_user TEXT NOT NULL,
                    to_user TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX share_on_to_user ON share(to_user, state);
                CREATE INDEX share_on_from_user ON share(from_user, plugin_slug, state);
                """)
        }
        migrator.registerMigration("v3-lease-owners") { db in
            // Several hosts share the database: a lease names its host (a pid means nothing on
            // another machine), and carries a generation that never repeats (the counter outlives
            // every row, which is deleted at commit) for the renewal and the commit to present.
            try db.execute(sql: """
                ALTER TABLE operation_lease ADD COLUMN owner_host TEXT NOT NULL DEFAULT '';
                ALTER TABLE operation_lease ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE lease_counter (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    generation INTEGER NOT NULL
                );
                INSERT INTO lease_counter (id, generation) VALUES (1, 0);
                """)
        }
        return migrator
    }
}
