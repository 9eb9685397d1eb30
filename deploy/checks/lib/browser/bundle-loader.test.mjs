// Unit tests of deploy/web/js/bundle-loader.js with the sample catalog's real containers
// (deploy/catalog/*/*/dist/remoteEntry.js): node --test this file. A <script> added to the
// stand-in document runs its file in a vm context whose code generation from strings is off, as
// under the page's CSP (no 'unsafe-eval'); that context is the page's window.
// deploy/checks/lib/browser/client-unit-tests.sh runs it with plugin-api.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

// The page's modules import each other as .js: under a package.json saying "module" they load as
// ES modules on every Node 18+, without flags (plugin-api.js's header).
const web = fileURLToPath(new URL("../../../web/js/", import.meta.url));
const catalog = fileURLToPath(new URL("../../../catalog/", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "bundle-loader-test-"));
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));
writeFileSync(join(folder, "package.json"), '{"type": "module"}\n');
mkdirSync(join(folder, "js"));
for (const name of readdirSync(web)) if (name.endsWith(".js")) copyFileSync(join(web, name), join(folder, "js", name));
const { loadModule, unmountModule } = await import(pathToFileURL(join(folder, "js", "bundle-loader.js")).href);

const MARK = "copy:AAAAAAAA";

// --- a minimal DOM stand-in: elements with children, text, attributes, dataset and events ------

class StandInElement {
  constructor(doc, tag) {
    Object.assign(this, { ownerDocument: doc, tagName: tag.toUpperCase(), parentNode: null, children: [],
      attributes: {}, dataset: {}, className: "", text: "", listeners: {} });
  }

  get textContent() {
    return this.children.length ? this.children.map((c) => c.textContent).join("\n") : this.text;
  }

  set textContent(value) {
    this.replaceChildren();
    this.text = String(value);
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  getAttribute(name) {
    return this.attributes[name] ?? null;
  }

  append(...nodes) {
    for (const node of nodes) {
      node.remove();
      node.parentNode = this;
      this.children.push(node);
      this.ownerDocument.inserted(node);
    }
  }

  replaceChildren(...nodes) {
    for (const child of this.children) child.parentNode = null;
    this.children = [];
    this.text = "";
    this.append(...nodes);
  }

  removeChild(node) {
    this.children = this.children.filter((c) => c !== node);
    node.parentNode = null;
  }

  remove() {
    this.parentNode?.removeChild(this);
  }

  addEventListener(type, listener) {
    (this.listeners[type] ??= []).push(listener);
  }

  dispatch(type) {
    for (const listener of this.listeners[type] ?? []) listener({ type, target: this });
  }

  find(predicate) {
    for (const child of this.children) {
      if (predicate(child)) return child;
      const deeper = child.find(predicate);
      if (deeper) return deeper;
    }
    return null;
  }
}

/**
 * A page: `files` maps a script URL to the file it serves (anything else fails to load, like a
 * 403 does), `answer(url)` is what fetch() gets. Returns the window (a vm context), its document,
 * the fetch calls and a panel in the body.
 */
function page({ files = {}, answer = () => new Response("", { status: 404 }) } = {}) {
  const fetches = [];
  const win = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
  const doc = {
    defaultView: win,
    scriptsRun: [],
    createElement: (tag) => new StandInElement(doc, tag),
    // A script in the document loads like a browser's: later, then "load" after it ran, or "error".
    inserted(node) {
      if (node.tagName !== "SCRIPT" || node.parentNode !== doc.head) return;
      setTimeout(() => {
        const file = files[node.src];
        if (!file) return node.dispatch("error");
        doc.scriptsRun.push(node.src);
        vm.runInContext(readFileSync(file, "utf8"), win, { filename: file });
        node.dispatch("load");
      }, 1);
    },
  };
  doc.head = new StandInElement(doc, "head");
  doc.body = new StandInElement(doc, "body");
  win.document = doc;
  win.fetch = async (url, init) => {
    fetches.push({ url, init });
    return answer(url);
  };
  const panel = doc.createElement("div");
  doc.body.append(panel);
  return { win, doc, panel, fetches };
}

const entry = (slug, version) => join(catalog, slug, version, "dist", "remoteEntry.js");
const url = (slug, version) => `/api/plugins/${slug}/bundles/grant-${version}/dist/remoteEntry.js`;
const scripts = (doc) => doc.head.children.filter((c) => c.tagName === "SCRIPT");

test("Open mounts the module: the paragraph names plugin, version and module and carries the copy marker", async () => {
  const bundle = url("braindrive-network", "1.1.0");
  const { doc, panel } = page({ files: { [bundle]: entry("braindrive-network", "1.1.0") } });
  const shown = await loadModule({ bundleUrl: bundle, scope: "BrainDriveNetwork", module: "ComponentNetworkHistory", panel });
  assert.equal(shown, null);
  assert.equal(panel.children.length, 1);
  assert.equal(panel.children[0].tagName, "P");
  assert.equal(panel.textContent, `BrainDrive Network 1.1.0: ComponentNetworkHistory (${MARK})`);

  // Another module of the same bundle: the script is not added again, the first module is unmounted.
  await loadModule({ bundleUrl: bundle, scope: "BrainDriveNetwork", module: "ComponentNetworkStatus", panel });
  assert.equal(panel.textContent, `BrainDrive Network 1.1.0: ComponentNetworkStatus (${MARK})`);
  assert.equal(scripts(doc).length, 1);
  assert.deepEqual(doc.scriptsRun, [bundle]);

  unmountModule(panel);
  assert.equal(panel.children.length, 0);
});

test("the module shown before is unmounted (its own unmount function) before the next one mounts", async () => {
  const bundle = url("braindrive-network", "1.1.0");
  const { win, panel } = page({ files: { [bundle]: entry("braindrive-network", "1.1.0") } });
  await loadModule({ bundleUrl: bundle, scope: "BrainDriveNetwork", module: "ComponentNetworkStatus", panel });
  // Count the unmounts of what the real container mounts from now on (the loader keeps this object).
  const container = win.BrainDriveNetwork;
  const realGet = container.get;
  const events = [];
  container.get = (module) => realGet(module).then((factory) => () => {
    const { mount } = factory();
    return { mount: (el, props) => {
      events.push(`mount ${module}`);
      const unmount = mount(el, props);
      return () => { events.push(`unmount ${module}`); unmount(); };
    } };
  });
  await loadModule({ bundleUrl: bundle, scope: "BrainDriveNetwork", module: "ComponentNetworkHistory", panel });
  await loadModule({ bundleUrl: bundle, scope: "BrainDriveNetwork", module: "ComponentNetworkStatus", panel });
  unmountModule(panel);
  assert.deepEqual(events, ["mount ./ComponentNetworkHistory", "unmount ./ComponentNetworkHistory",
    "mount ./ComponentNetworkStatus", "unmount ./ComponentNetworkStatus"]);
});

test("the bytes of the copy it loads are what it shows: a flipped marker shows flipped", async () => {
  const flipped = join(folder, "flipped-remoteEntry.js");
  const original = readFileSync(entry("braindrive-chat", "1.0.0"), "utf8");
  assert.equal(original.split(MARK).length, 2, "the marker is in the container exactly once");
  writeFileSync(flipped, original.replace(MARK, "copy:ZZZZZZZZ"));
  const mine = "/api/plugins/braindrive-chat/bundles/alice/dist/remoteEntry.js";
  const theirs = "/api/plugins/braindrive-chat/bundles/bob/dist/remoteEntry.js";
  const { panel } = page({ files: { [mine]: flipped, [theirs]: entry("braindrive-chat", "1.0.0") } });
  await loadModule({ bundleUrl: mine, scope: "BrainDriveChat", module: "ComponentChat", panel });
  assert.equal(panel.textContent, "BrainDrive Chat 1.0.0: ComponentChat (copy:ZZZZZZZZ)");
  // A second URL of the same scope (another version, another grant): its own container.
  await loadModule({ bundleUrl: theirs, scope: "BrainDriveChat", module: "ComponentChat", panel });
  assert.equal(panel.textContent, `BrainDrive Chat 1.0.0: ComponentChat (${MARK})`);
  await loadModule({ bundleUrl: mine, scope: "BrainDriveChat", module: "ComponentChat", panel });
  assert.equal(panel.textContent, "BrainDrive Chat 1.0.0: ComponentChat (copy:ZZZZZZZZ)");
});

test("an unknown module rejects in the container and shows as an alert in the panel", async () => {
  const bundle = url("braindrive-settings", "1.0.10");
  const { win, panel } = page({ files: { [bundle]: entry("braindrive-settings", "1.0.10") } });
  const shown = await loadModule({ bundleUrl: bundle, scope: "BrainDriveSettings", module: "ComponentNope", panel });
  assert.equal(shown.message, 'Module "./ComponentNope" does not exist in container.');
  const alert = panel.find((e) => e.getAttribute("role") === "alert");
  assert.ok(alert, "no role=alert in the panel");
  assert.match(alert.textContent, /Module "\.\/ComponentNope" does not exist in container\./);

  // The container itself, as webpack's: a rejected promise, not a throw.
  const container = win.BrainDriveSettings;
  const pending = container.get("./Other");
  assert.equal(typeof pending.then, "function");
  await assert.rejects(pending, { message: 'Module "./Other" does not exist in container.' });
  const factory = await container.get("./ComponentSettings");
  assert.equal(factory(), factory(), "one module instance, as webpack's module cache gives");
});

test("init keeps the loader's share scope: the same again is fine, another one throws", async () => {
  const bundle = url("braindrive-library", "1.0.0");
  const { win, panel } = page({ files: { [bundle]: entry("braindrive-library", "1.0.0") } });
  await loadModule({ bundleUrl: bundle, scope: "BrainDriveLibrary", module: "ComponentLibrary", panel });
  assert.throws(() => win.BrainDriveLibrary.init({}), /already been initialized with a different share scope/);

  // A fresh container (its script run again in another page): first scope kept, second refused.
  const other = page();
  vm.runInContext(readFileSync(entry("braindrive-library", "1.0.0"), "utf8"), other.win);
  const container = other.win.BrainDriveLibrary;
  const scope = {};
  container.init(scope);
  container.init(scope);
  assert.throws(() => container.init({}), /already been initialized with a different share scope/);
});

test("a script that fails to load shows the server's problem (title, code, detail, request id) and tries again next time", async () => {
  const bundle = url("braindrive-network", "1.0.0");
  const problem = { type: "about:blank", title: "Forbidden", status: 403, code: "expired_signature",
    detail: "This bundle URL expired at 2026-01-01T00:15:00Z", request_id: "body-id" };
  const { doc, panel, fetches } = page({
    answer: () => new Response(JSON.stringify(problem),
      { status: 403, headers: { "Content-Type": "application/problem+json", "X-Request-Id": "0123456789abcdef" } }),
  });
  const shown = await loadModule({ bundleUrl: bundle, scope: "BrainDriveNetwork", module: "ComponentNetworkStatus", panel });
  assert.equal(shown.code, "expired_signature");
  assert.equal(fetches.length, 1);
  assert.equal(fetches[0].url, bundle);
  assert.equal(fetches[0].init.headers, undefined, "no Authorization: the URL must stand on its own, like the script tag");
  const alert = panel.find((e) => e.getAttribute("role") === "alert");
  assert.ok(alert, "no role=alert in the panel");
  assert.equal(alert.dataset.code, "expired_signature");
  const text = alert.textContent;
  for (const part of ["Forbidden", "This bundle URL expired at 2026-01-01T00:15:00Z", "expired_signature", "HTTP 403",
    "request 0123456789abcdef"]) {
    assert.ok(text.includes(part), `${JSON.stringify(part)} missing from ${JSON.stringify(text)}`);
  }
  assert.equal(scripts(doc).length, 0, "the failed script stays in the page");

  // Not cached as failed: the next Open adds the script again.
  await loadModule({ bundleUrl: bundle, scope: "BrainDriveNetwork", module: "ComponentNetworkStatus", panel });
  assert.equal(fetches.length, 2);
});

test("a bundle that loads but defines no such container, and an unreachable server, show what happened", async () => {
  const bundle = url("braindrive-chat", "1.0.0");
  const { panel } = page({ files: { [bundle]: entry("braindrive-chat", "1.0.0") } });
  const wrongScope = await loadModule({ bundleUrl: bundle, scope: "SomethingElse", module: "ComponentChat", panel });
  assert.equal(wrongScope.code, "container_missing");
  assert.match(panel.textContent, /no Module Federation container named "SomethingElse"/);

  const offline = page({ answer: () => { throw new TypeError("Failed to fetch"); } });
  const unreachable = await loadModule({ bundleUrl: bundle, scope: "BrainDriveChat", module: "ComponentChat", panel: offline.panel });
  assert.equal(unreachable.code, "network_error");
  assert.match(offline.panel.textContent, /Failed to fetch/);
});

test("a load overtaken by a later Open (or by unmountModule) does not mount", async () => {
  const first = url("braindrive-network", "1.0.0");
  const second = url("braindrive-network", "1.1.0");
  const { panel } = page({ files: { [first]: entry("braindrive-network", "1.0.0"), [second]: entry("braindrive-network", "1.1.0") } });
  const slow = loadModule({ bundleUrl: first, scope: "BrainDriveNetwork", module: "ComponentNetworkStatus", panel });
  const fast = loadModule({ bundleUrl: second, scope: "BrainDriveNetwork", module: "ComponentNetworkHistory", panel });
  await Promise.all([slow, fast]);
  assert.equal(panel.textContent, `BrainDrive Network 1.1.0: ComponentNetworkHistory (${MARK})`);

  const dropped = loadModule({ bundleUrl: first, scope: "BrainDriveNetwork", module: "ComponentNetworkStatus", panel });
  unmountModule(panel);
  assert.equal(await dropped, null);
  assert.equal(panel.children.length, 0);
});

test("every container in deploy/catalog mounts every module its plugin.json lists, all in one page", async () => {
  const versions = [];
  for (const slug of readdirSync(catalog)) {
    for (const version of readdirSync(join(catalog, slug))) {
      const manifest = JSON.parse(readFileSync(join(catalog, slug, version, "plugin.json"), "utf8"));
      versions.push({ slug, version, manifest, bundle: url(slug, version), file: join(catalog, slug, version, manifest.bundle_location) });
    }
  }
  assert.ok(versions.length >= 7, `only ${versions.length} versions found in ${catalog}`);
  const files = Object.fromEntries(versions.map((v) => [v.bundle, v.file]));
  const { doc, panel } = page({ files });
  const mounted = [];
  for (const { manifest, bundle, file } of versions) {
    assert.equal(readFileSync(file, "utf8").split(MARK).length, 2, `${file}: the copy marker once`);
    for (const module of manifest.modules) {
      const shown = await loadModule({ bundleUrl: bundle, scope: manifest.scope, module: module.name, panel, props: module.props });
      assert.equal(shown, null, `${file} ${module.name}: ${shown?.message}`);
      assert.equal(panel.textContent, `${manifest.name} ${manifest.version}: ${module.name} (${MARK})`);
      mounted.push(`${manifest.slug}@${manifest.version}/${module.name}`);
    }
  }
  assert.equal(scripts(doc).length, versions.length, "one script per bundle URL");
  // Each URL keeps its own container although later versions replaced the global.
  const first = versions.find((v) => v.version === "1.0.0" && v.manifest.scope === "BrainDriveSettings");
  await loadModule({ bundleUrl: first.bundle, scope: "BrainDriveSettings", module: "ComponentSettings", panel });
  assert.equal(panel.textContent, `BrainDrive Settings 1.0.0: ComponentSettings (${MARK})`);
  assert.equal(mounted.length, versions.reduce((n, v) => n + v.manifest.modules.length, 0));
});
