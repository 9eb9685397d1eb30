-- deploy/bench's row cloning on PostgreSQL (seed_rows.py's on SQLite): users FIRST..LAST (ids
-- 'u' and six digits) get a copy of every one of the template user's plugin rows with their
-- module and installed_file rows. Ids follow the contract: plugin `{user_id}_{slug}`, module
-- `{plugin_id}_{Name}`; each cloned plugin gets its own operation id. Cloned users have rows but
-- no files on disk: the bench never asks about them.
--
--   psql URL -v template=u000001 -v first=201 -v last=10000 -f seed_rows.sql
--
-- One transaction; then VACUUM ANALYZE, so the planner knows the tables' sizes (the hot
-- statements must be index searches) and the visibility map is set, as on a database that has
-- been running for a while.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE n ON COMMIT DROP AS
    SELECT i, 'u' || lpad(i::text, 6, '0') AS u FROM generate_series(:first::int, :last::int) AS i;
-- The ids continue after "{template}": the "_{slug}..." part.
CREATE TEMP TABLE cut ON COMMIT DROP AS SELECT length(:'template') + 1 AS at;
INSERT INTO plugin (id, user_id, plugin_slug, name, version, description, author, scope, bundle_location, enabled,
                    installation_type, manifest_json, operation_id, installed_at, updated_at)
SELECT n.u || substr(t.id, cut.at), n.u, t.plugin_slug, t.name, t.version, t.description, t.author, t.scope,
       t.bundle_location, t.enabled, t.installation_type, t.manifest_json, md5(random()::text || n.u || t.id),
       t.installed_at, t.updated_at
FROM n CROSS JOIN cut CROSS JOIN (SELECT * FROM plugin WHERE user_id = :'template') t
ORDER BY n.i, t.id;
INSERT INTO module (id, plugin_id, user_id, name, display_name, description, icon, category, priority, props,
                    config_fields, required_services, layout, tags, enabled, created_at, updated_at)
SELECT n.u || substr(m.id, cut.at), n.u || substr(m.plugin_id, cut.at), n.u, m.name, m.display_name, m.description,
       m.icon, m.category, m.priority, m.props, m.config_fields, m.required_services, m.layout, m.tags, m.enabled,
       m.created_at, m.updated_at
FROM n CROSS JOIN cut CROSS JOIN (SELECT * FROM module WHERE user_id = :'template') m
ORDER BY n.i, m.plugin_id, m.name;
INSERT INTO installed_file (plugin_id, path, size, sha256)
SELECT n.u || substr(f.plugin_id, cut.at), f.path, f.size, f.sha256
FROM n CROSS JOIN cut
     CROSS JOIN (SELECT f.* FROM installed_file f JOIN plugin p ON p.id = f.plugin_id WHERE p.user_id = :'template') f
ORDER BY n.i, f.plugin_id, f.path;
COMMIT;
VACUUM ANALYZE plugin;
VACUUM ANALYZE module;
VACUUM ANALYZE installed_file;
VACUUM ANALYZE operation_lease;
SELECT json_build_object('rows', (SELECT count(*) FROM plugin), 'modules', (SELECT count(*) FROM module),
                         'files', (SELECT count(*) FROM installed_file), 'users_added', :last::int - :first::int + 1);
