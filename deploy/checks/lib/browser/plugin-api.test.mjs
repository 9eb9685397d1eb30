// Unit tests of deploy/web/js/plugin-api.js with a fake fetch (no server): node --test this file.
// deploy/checks/browser-test runs it (deploy/checks/lib/browser/client-unit-tests.sh) with node 18+; without one it fails in CI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The page's module is a .js file with no package.json saying "module" (nginx serves the folder
// as it is); an .mjs copy loads as an ES module on every Node version, without flags.
const source = fileURLToPath(new URL("../../../web/js/plugin-api.js", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "plugin-api-test-"));
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));
const copy = join(folder, "plugin-api.mjs");
copyFileSync(source, copy);
const { createPluginClient, configureDefaultClient, installPlugin, PluginApiError } =
  await import(pathToFileURL(copy).href);

// A fetch that records each call and answers from a list of [status, body, headers].
function fakeFetch(...answers) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    const [status, body, headers = {}] = answers.shift();
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers });
  };
  return { fetch, calls };
}

test("resolves with data and sends the token, body and method", async () => {
  const { fetch, calls } = fakeFetch([201, { status: "success", data: { plugin_slug: "braindrive_network", version: "1.0.0" } }]);
  const api = createPluginClient({ baseUrl: "http://x/api/plugins/", getToken: () => "tok", fetch });
  const data = await api.installPlugin("braindrive-network", "1.0.0");
  assert.deepEqual(data, { plugin_slug: "braindrive_network", version: "1.0.0" });
  assert.equal(calls[0].url, "http://x/api/plugins/braindrive-network/install");
  assert.equal(calls[0].init.method, "POST");
  assert.equal(calls[0].init.headers.Authorization, "Bearer tok");
  assert.equal(calls[0].init.headers["Content-Type"], "application/json");
  assert.deepEqual(JSON.parse(calls[0].init.body), { version: "1.0.0" });
});

test("no token: no Authorization header; query options become parameters", async () => {
  const { fetch, calls } = fakeFetch(
    [200, { data: { status: "healthy" } }],
    [200, { data: { uninstalled: ["a", "b"] } }],
    [200, { data: { events: [], next_cursor: null } }],
    [200, { data: {} }],
    [200, { data: { shares: [], total_count: 0 } }],
    [200, { data: { shares: [], total_count: 0 } }],
  );
  const api = createPluginClient({ fetch });
  await api.checkPluginStatus("a", { verifyFull: true });
  await api.uninstallPlugin("a", { cascade: true });
  await api.getAudit({ limit: 5, cursor: "17" });
  await api.uninstallPlugin("a");
  await api.getShares({ direction: "sent" });
  await api.getShares();
  assert.equal(calls[0].init.headers.Authorization, undefined);
  assert.equal(calls[0].url, "/api/plugins/a/status?verify=full");
  assert.equal(calls[1].url, "/api/plugins/a/uninstall?cascade=true");
  assert.equal(calls[1].init.method, "DELETE");
  assert.equal(calls[2].url, "/api/plugins/audit?limit=5&cursor=17");
  assert.equal(calls[3].url, "/api/plugins/a/uninstall");
  assert.equal(calls[4].url, "/api/plugins/shared?direction=sent");
  assert.equal(calls[5].url, "/api/plugins/shared");
});

test("a problem+json answer rejects with status, code, detail and the X-Request-Id", async () => {
  const problem = { type: "about:blank", title: "Conflict", status: 409, code: "already_installed",
    detail: "Plugin 'a' is already installed", request_id: "body-id" };
  const { fetch } = fakeFetch([409, problem, { "Content-Type": "application/problem+json", "X-Request-Id": "header-id" }]);
  const api = createPluginClient({ fetch });
  await assert.rejects(api.installPlugin("a"), (error) => {
    assert.ok(error instanceof PluginApiError);
    assert.equal(error.status, 409);
    assert.equal(error.code, "already_installed");
    assert.equal(error.detail, "Plugin 'a' is already installed");
    assert.equal(error.requestId, "header-id");
    assert.equal(error.message, error.detail);
    return true;
  });
});

test("an enveloped error, a non-JSON error and a network failure are PluginApiErrors too", async () => {
  const { fetch } = fakeFetch(
    [403, { success: false, error: { code: "forbidden", detail: "Admins only", request_id: "r1" } }],
    [502, "<html>bad gateway</html>"],
  );
  const api = createPluginClient({ fetch });
  await assert.rejects(api.purgeUser("u"), { code: "forbidden", detail: "Admins only", requestId: "r1", status: 403 });
  await assert.rejects(api.health(), { code: "http_502", status: 502 });
  const offline = createPluginClient({ fetch: async () => { throw new TypeError("connection refused"); } });
  await assert.rejects(offline.health(), { status: 0, code: "network_error" });
});

test("slugs, modules and share ids are encoded into one path segment", async () => {
  const { fetch, calls } = fakeFetch([200, { data: {} }], [200, { data: {} }]);
  const api = createPluginClient({ fetch });
  await api.disableModule("../x", "A/B");
  await api.declineShare("1?x");
  assert.equal(calls[0].url, "/api/plugins/..%2Fx/modules/A%2FB/disable");
  assert.equal(calls[1].url, "/api/plugins/shared/1%3Fx");
});

test("the convenience exports use the configurable default client", async () => {
  const { fetch, calls } = fakeFetch([201, { data: { version: "1.1.0" } }]);
  configureDefaultClient({ baseUrl: "/elsewhere", getToken: async () => "t2", fetch });
  assert.deepEqual(await installPlugin("p"), { version: "1.1.0" });
  assert.equal(calls[0].url, "/elsewhere/p/install");
  assert.equal(calls[0].init.headers.Authorization, "Bearer t2");
  assert.deepEqual(JSON.parse(calls[0].init.body), {});
});

test("'a/b', 'ü' and '%2e' are encoded into one path segment of a slug, a module and a share id", async () => {
  const cases = [["a/b", "a%2Fb"], ["ü", "%C3%BC"], ["%2e", "%252e"], ["...", "..."]];
  for (const [raw, sent] of cases) {
    const { fetch, calls } = fakeFetch(...Array.from({ length: 4 }, () => [200, { data: {} }]));
    const api = createPluginClient({ fetch });
    await api.installPlugin(raw);
    await api.disableModule("x", raw);
    await api.acceptShare(raw);
    await api.declineShare(raw);
    const expected = [
      `/api/plugins/${sent}/install`,
      `/api/plugins/x/modules/${sent}/disable`,
      `/api/plugins/shared/${sent}/accept`,
      `/api/plugins/shared/${sent}`,
    ];
    assert.deepEqual(calls.map((c) => c.url), expected, `segment ${JSON.stringify(raw)}`);
    // What fetch sends after the URL parser: the segment stays where it is.
    assert.deepEqual(calls.map((c) => new URL(c.url, "http://h").pathname), expected, `parsed ${JSON.stringify(raw)}`);
  }
});

test("'.', '..' and an empty slug, module or share id reject without a request", async () => {
  // No encoding would survive: the URL parser resolves "%2E" and "%2E%2E" as dot-segments too.
  assert.equal(new URL("/api/plugins/x/modules/%2E%2E/disable", "http://h").pathname, "/api/plugins/x/disable");
  const { fetch, calls } = fakeFetch();
  const api = createPluginClient({ fetch, getToken: () => "tok" });
  for (const raw of [".", "..", "", null, undefined]) {
    for (const attempt of [() => api.installPlugin(raw), () => api.disableModule("x", raw), () => api.enableModule(raw, "m"),
      () => api.acceptShare(raw), () => api.declineShare(raw), () => api.purgeUser(raw)]) {
      const pending = attempt();
      assert.ok(pending instanceof Promise, "a refused segment rejects, it does not throw");
      await assert.rejects(pending, (error) => error instanceof PluginApiError && error.code === "invalid_argument"
        && error.status === 0, `segment ${JSON.stringify(raw)}`);
    }
  }
  assert.equal(calls.length, 0);
});

test("the methods the page does not use: method, path, body and token", async () => {
  const answers = Array.from({ length: 7 }, () => [200, { data: { ok: true } }]);
  const { fetch, calls } = fakeFetch(...answers);
  const api = createPluginClient({ baseUrl: "/api/plugins", getToken: () => "admin-tok", fetch });
  await api.getPluginInfo("braindrive-network");
  await api.getPluginVersions("braindrive-network");
  await api.getUpdates();
  await api.sharePlugin("braindrive-network", ["bob", "carol"]);
  await api.bulkInstall("braindrive-network", ["bob"], "1.0.0");
  await api.bulkUninstall("braindrive-network", ["bob", "carol"]);
  await api.purgeUser("bob/..");
  await assert.rejects(api.purgeUser(".."), { code: "invalid_argument" });
  const seen = calls.map((c) => [c.init.method, c.url, c.init.body === undefined ? undefined : JSON.parse(c.init.body)]);
  assert.deepEqual(seen, [
    ["GET", "/api/plugins/braindrive-network/info", undefined],
    ["GET", "/api/plugins/braindrive-network/versions", undefined],
    ["GET", "/api/plugins/updates", undefined],
    ["POST", "/api/plugins/braindrive-network/share", { user_ids: ["bob", "carol"] }],
    ["POST", "/api/plugins/braindrive-network/bulk-install", { user_ids: ["bob"], version: "1.0.0" }],
    ["POST", "/api/plugins/braindrive-network/bulk-uninstall", { user_ids: ["bob", "carol"] }],
    ["DELETE", "/api/plugins/users/bob%2F..", undefined],
  ]);
  for (const call of calls) assert.equal(call.init.headers.Authorization, "Bearer admin-tok");
  for (const call of calls.slice(3, 6)) assert.equal(call.init.headers["Content-Type"], "application/json");
});

test("bulkInstall without a version sends only the user ids", async () => {
  const { fetch, calls } = fakeFetch([200, { data: {} }]);
  await createPluginClient({ fetch }).bulkInstall("p", ["u1"]);
  assert.deepEqual(JSON.parse(calls[0].init.body), { user_ids: ["u1"] });
});
