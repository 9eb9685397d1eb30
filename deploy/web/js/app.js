// The plugin manager page: state, rendering and actions. Talks to the API only through
// plugin-api.js; writes data into the page only as text (dom.js).
import { configureDefaultClient, createPluginClient, getDefaultClient, PluginApiError } from "./plugin-api.js";
import { getToken, setToken, signOut, takeTokenFromFragment, tokenUser } from "./session.js";
import { h, fill } from "./dom.js";
import { confirmDialog, askUserIds } from "./dialogs.js";
import { loadModule, unmountModule } from "./bundle-loader.js";
import { compareVersions, formatTime, moduleName, problemMeta, sentence } from "./format.js";

configureDefaultClient({ getToken });
const api = () => getDefaultClient();
const anonymousApi = createPluginClient({ getToken: () => null });

const AUDIT_PAGE = 20;

const state = {
  signedIn: false, // a token that the server accepted at the last load
  authRefused: false, // the server answered 401 to the token in sessionStorage
  catalog: [], // entries of available_plugins, sorted by name
  installed: [], // installed_plugins
  shares: [], // offers to the user
  sentShares: [], // open offers the user made (withdrawable)
  audit: { events: [], next: null },
  // Per plugin slug (or "share:<id>" for an offer to the user, "sent:<id>" for one the user
  // made): the running action's progress label. A busy row's
  // buttons stay disabled across re-renders caused by other rows.
  busy: new Map(),
  errors: new Map(), // same keys: the last PluginApiError of that row
  checks: new Map(), // slug -> status data of the last "Check files" (verify=full)
  modules: new Map(), // module id -> enabled, as the last enable/disable answer said (before a reload)
  chosen: new Map(), // select key -> chosen version, kept across re-renders
  openModules: new Set(), // slugs whose module list is unfolded, kept across re-renders
  shownModule: null, // {slug, module, key} of the module in #module-panel
};

const $ = (id) => document.getElementById(id);

// How many loads and actions are in flight, on <body data-pending>: tests (and anyone curious)
// can wait for the page to settle without guessing times.
let pending = 0;
function track(delta) {
  pending += delta;
  document.body.dataset.pending = String(pending);
}

// --- messages ----------------------------------------------------------------------------

function showNotice(kind, text, error) {
  const box = $("notice");
  box.hidden = false;
  box.className = `notice ${kind}`;
  // alert for errors (announced at once), status for outcomes.
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  fill(box, h("span", { className: "notice-text", dataset: { role: "text" } }, text),
    error ? h("span", { className: "meta" }, problemMeta(error)) : null,
    h("button", { type: "button", className: "link", onclick: () => { box.hidden = true; $("main").focus(); } }, "Dismiss"));
}

function showError(error, prefix = "") {
  const detail = error instanceof PluginApiError ? error.detail : `Unexpected error: ${error?.message || error}`;
  const hint = error?.status === 401 ? " Sign in again with a fresh token." : "";
  showNotice("error", `${prefix}${hint ? sentence(detail) : detail}${hint}`, error instanceof PluginApiError ? error : null);
}

// --- loading -----------------------------------------------------------------------------

async function refresh() {
  track(+1);
  try {
    await load();
  } finally {
    track(-1);
  }
}

// Loads can overlap (an action ends while another reload runs): only the newest one is shown.
let latestLoad = 0;
// Counts the loads that were shown: "More" pages from the cursor of the list it started from,
// and drops its answer when a newer load replaced that list meanwhile.
let shownLoads = 0;

async function load() {
  const thisLoad = ++latestLoad;
  const hasToken = Boolean(getToken());
  let [available, installed, shares, sentShares, audit] = await Promise.allSettled([
    api().getAvailablePlugins(),
    hasToken ? api().getInstalledPlugins() : Promise.resolve(null),
    hasToken ? api().getShares() : Promise.resolve(null),
    hasToken ? api().getShares({ direction: "sent" }) : Promise.resolve(null),
    hasToken ? api().getAudit({ limit: AUDIT_PAGE }) : Promise.resolve(null),
  ]);
  const results = [available, installed, shares, sentShares, audit];
  // A refused token (401): the page acts signed out, says why, and offers the token field again.
  const refusal = results.find((r) => r.status === "rejected" && r.reason?.status === 401)?.reason ?? null;
  if (refusal && available.status === "rejected") {
    // The catalog is public: show it without the token rather than not at all.
    [available] = await Promise.allSettled([anonymousApi.getAvailablePlugins()]);
  }
  if (thisLoad !== latestLoad) return;
  shownLoads += 1;
  state.authRefused = Boolean(refusal);
  state.signedIn = hasToken && !refusal;
  if (available.status === "fulfilled") {
    state.catalog = Object.values(available.value.available_plugins ?? {})
      .sort((a, b) => String(a.name || a.slug).localeCompare(String(b.name || b.slug)));
  }
  state.installed = installed.status === "fulfilled" ? installed.value?.installed_plugins ?? [] : state.installed;
  // The list is newer than any earlier enable/disable answer (another tab may have switched one).
  if (installed.status === "fulfilled") state.modules.clear();
  state.shares = shares.status === "fulfilled" ? shares.value?.shares ?? [] : state.shares;
  state.sentShares = sentShares.status === "fulfilled" ? sentShares.value?.shares ?? [] : state.sentShares;
  if (audit.status === "fulfilled" && audit.value) {
    state.audit = { events: audit.value.events ?? [], next: audit.value.next_cursor ?? null };
  }
  if (!state.signedIn) clearUserLists();
  render();
  const failure = refusal ?? results.find((r) => r.status === "rejected")?.reason;
  if (failure) showError(failure, "Could not load the page's data: ");
}

// --- actions -----------------------------------------------------------------------------

// Each sign-in, sign-out or token change starts a new session. An action belongs to the session
// it started in: it sends that session's token (fixed when it starts), and once the session has
// changed its answers are dropped (no notice, row error or busy change for the next user).
let session = 0;
const STALE = Symbol("the session changed");

/**
 * The context of an action started now: `client` sends this session's token, whatever the page's
 * token is later, and rejects with STALE once the session has changed; `guard(promise)` does the
 * same for any other wait (a dialog).
 */
function actionContext() {
  const mine = session;
  const token = getToken();
  const current = () => mine === session;
  const guard = async (promise) => {
    let value;
    try {
      value = await promise;
    } catch (error) {
      if (!current()) throw STALE;
      throw error;
    }
    if (!current()) throw STALE;
    return value;
  };
  const bare = createPluginClient({ getToken: () => token });
  const client = new Proxy(bare, {
    get: (target, name) => (typeof target[name] === "function" ? (...args) => guard(target[name](...args)) : target[name]),
  });
  return { current, guard, client };
}

/**
 * Runs one action on a row: locks the row (buttons disabled, aria-busy, progress label), shows
 * the outcome or the problem's detail, then reloads. `action(context)` makes its requests with
 * context.client and returns the success text, or null when the user cancelled. `context` is
 * given when the action asked something first (it started then).
 */
async function run(key, label, action, context = actionContext()) {
  if (!context.current() || state.busy.has(key)) return;
  const focusKey = document.activeElement?.dataset?.key;
  track(+1);
  state.busy.set(key, label);
  state.errors.delete(key);
  render();
  try {
    // An action returns its outcome as text, or as {kind, text} when it is a warning.
    const outcome = await action(context);
    if (!context.current()) return;
    if (typeof outcome === "string") showNotice("ok", outcome);
    else if (outcome) showNotice(outcome.kind, outcome.text);
  } catch (error) {
    if (error === STALE || !context.current()) return;
    state.errors.set(key, error);
    showError(error);
  } finally {
    try {
      // The next user's page was reset and reloaded when the session changed: nothing to undo.
      if (context.current()) {
        state.busy.delete(key);
        await refresh();
        // Keyboard users keep their place: the same control when it still exists, else the notice.
        if (context.current() && (document.activeElement === document.body || !document.activeElement)) {
          const again = focusKey && document.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
          if (again && !again.disabled) again.focus();
          else if (!$("notice").hidden) $("notice").focus();
        }
      }
    } finally {
      track(-1);
    }
  }
}

function install(slug, version) {
  run(slug, `Installing ${version || "the latest version"}…`, async ({ client }) => {
    const data = await client.installPlugin(slug, version);
    const deps = data.dependencies_installed?.length ? ` (with ${data.dependencies_installed.join(", ")})` : "";
    return `Installed ${data.plugin_slug} ${data.version}${deps}`;
  });
}

function update(slug, version) {
  run(slug, `Updating to ${version || "the latest version"}…`, async ({ client }) => {
    state.checks.delete(slug);
    const data = await client.updatePlugin(slug, version);
    return data.previous_version === data.new_version
      ? `${data.plugin_slug} is already at ${data.new_version}`
      : `Updated ${data.plugin_slug} from ${data.previous_version} to ${data.new_version}`;
  });
}

function repair(slug) {
  run(slug, "Repairing…", async ({ client }) => {
    state.checks.delete(slug);
    const data = await client.repairPlugin(slug);
    const actions = data.repair_actions?.length ? `: ${data.repair_actions.length} repair action(s)` : "";
    return `Repaired ${data.plugin_slug} (${data.old_status} → ${data.new_status})${actions}`;
  });
}

function check(slug) {
  run(slug, "Checking every file (SHA-256)…", async ({ client }) => {
    const data = await client.checkPluginStatus(slug, { verifyFull: true });
    state.checks.set(slug, data);
    const text = `${data.plugin_slug}: ${data.status} (${data.files?.expected ?? "?"} files checked)`;
    return data.status === "healthy" ? text : { kind: "warn", text: `${text}; Repair restores the files` };
  });
}

function setEnabled(slug, enabled) {
  run(slug, enabled ? "Enabling…" : "Disabling…", async ({ client }) => {
    const data = enabled ? await client.enablePlugin(slug) : await client.disablePlugin(slug);
    rememberModules(data);
    return `${data.plugin_slug} ${data.enabled ? "enabled" : "disabled"}`;
  });
}

function setModuleEnabled(slug, module, enabled) {
  run(slug, `${enabled ? "Enabling" : "Disabling"} ${module}…`, async ({ client }) => {
    const data = enabled ? await client.enableModule(slug, module) : await client.disableModule(slug, module);
    rememberModules(data);
    return `Module ${module} of ${data.plugin_slug} ${enabled ? "enabled" : "disabled"}`;
  });
}

// An enable/disable answer carries every module's flag: shown until the next reload of the list,
// whose `disabled_modules` then says the same (older services leave that field out).
function rememberModules(data) {
  for (const module of data.modules ?? []) state.modules.set(module.module_id, module.enabled);
}

let opening = 0; // loads in flight for #module-panel (a later Open may start before one ends)

// Open: the module from the user's own copy, through the bundle_url of the last list load (a
// stale page's URL may have expired: the panel then shows the problem, and Refresh gets a new one).
async function openModule(plugin, module, name) {
  const key = `${plugin.plugin_slug}:open:${module}`;
  state.shownModule = { slug: plugin.plugin_slug, module, key };
  const panel = $("module-panel");
  $("module-section").hidden = false;
  $("module-heading").textContent = `${module} of ${name} ${plugin.version}`;
  $("module-source").textContent = plugin.bundle_url_expires_at
    ? `From your copy; this link works until ${formatTime(plugin.bundle_url_expires_at)} (Refresh gets a new one).`
    : "From your copy.";
  $("module-heading").focus();
  track(+1);
  opening += 1;
  panel.setAttribute("aria-busy", "true");
  try {
    await loadModule({ bundleUrl: plugin.bundle_url, scope: plugin.scope, module, panel });
  } finally {
    opening -= 1;
    if (opening === 0) panel.removeAttribute("aria-busy");
    track(-1);
  }
}

function closeModule() {
  const opener = state.shownModule?.key;
  // Asked before hiding: a hidden element loses the focus.
  const focusInside = Boolean(document.activeElement?.closest?.("#module-section"));
  state.shownModule = null;
  unmountModule($("module-panel"));
  $("module-section").hidden = true;
  // Keyboard users go back to the Open button they came from, when it is still there.
  if (!focusInside) return;
  const again = opener && document.querySelector(`[data-key="${CSS.escape(opener)}"]`);
  if (again && !again.disabled) again.focus();
  else $("main").focus();
}

function uninstall(slug, name) {
  run(slug, "Uninstalling…", async ({ client, guard }) => {
    let data;
    try {
      data = await client.uninstallPlugin(slug);
    } catch (error) {
      if (!(error instanceof PluginApiError) || error.code !== "dependency_in_use") throw error;
      // Other plugins of this user need it: say which (the detail names them) and ask first.
      state.busy.set(slug, "Waiting for your answer…");
      render();
      // A change of user closes the dialog (resetUserState); guard then ends the action here.
      const yes = await guard(confirmDialog({
        title: `Uninstall ${name} and what depends on it?`,
        text: `${sentence(error.detail)} Uninstalling anyway also removes those plugins.`,
        confirmLabel: "Uninstall all",
      }));
      if (!yes) {
        showNotice("ok", `Nothing was uninstalled: ${error.detail}`);
        return null;
      }
      state.busy.set(slug, "Uninstalling with dependents…");
      render();
      data = await client.uninstallPlugin(slug, { cascade: true });
    }
    state.checks.delete(slug);
    return `Uninstalled ${(data.uninstalled?.length ? data.uninstalled : [data.plugin_slug]).join(", ")}`;
  });
}

async function share(slug, name) {
  // Started before the question: a change of user while it is open ends it (run() refuses).
  const context = actionContext();
  const userIds = await askUserIds(name);
  if (!userIds) return;
  run(slug, "Offering…", async ({ client }) => {
    const data = await client.sharePlugin(slug, userIds);
    const to = (data.shares ?? []).map((s) => s.to_user).join(", ");
    return `Offered ${slug} to ${to || userIds.join(", ")}`;
  }, context);
}

function acceptShare(offer) {
  run(`share:${offer.share_id}`, "Installing the offered version…", async ({ client }) => {
    const data = await client.acceptShare(offer.share_id);
    return `Installed ${data.plugin_slug} ${data.version} from ${offer.from_user}'s offer`;
  });
}

function declineShare(offer) {
  run(`share:${offer.share_id}`, "Declining…", async ({ client }) => {
    await client.declineShare(offer.share_id);
    return `Declined ${offer.plugin_slug} ${offer.version} from ${offer.from_user}`;
  });
}

function withdrawShare(offer) {
  run(`sent:${offer.share_id}`, "Withdrawing…", async ({ client }) => {
    await client.declineShare(offer.share_id);
    return `Withdrew the offer of ${offer.plugin_slug} ${offer.version} to ${offer.to_user}`;
  });
}

async function moreAudit() {
  const button = $("audit-more");
  track(+1);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  const startedAfter = shownLoads;
  const startedIn = session;
  try {
    const data = await api().getAudit({ limit: AUDIT_PAGE, cursor: state.audit.next });
    // A reload finished (or the user changed) meanwhile: its first page is newer than this
    // cursor (appending would repeat or skip events); the reloaded list stands.
    if (startedAfter !== shownLoads || startedIn !== session) return;
    state.audit = { events: [...state.audit.events, ...(data.events ?? [])], next: data.next_cursor ?? null };
  } catch (error) {
    if (startedAfter === shownLoads && startedIn === session) showError(error, "Could not load more history: ");
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    renderAudit();
    if (!button.hidden) button.focus();
    track(-1);
  }
}

// --- rendering ---------------------------------------------------------------------------

function render() {
  // A re-render replaces the lists; keep the keyboard focus on the same control if it survives.
  const focusKey = document.activeElement?.dataset?.key;
  renderIdentity();
  renderInstalled();
  renderShares();
  renderSentShares();
  renderCatalog();
  renderAudit();
  if (focusKey && document.activeElement === document.body) {
    const again = document.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (again && !again.disabled) again.focus();
  }
}

function renderIdentity() {
  const token = getToken();
  const active = Boolean(token) && !state.authRefused;
  $("signed-in").hidden = !token;
  $("token-form").hidden = active;
  $("who").textContent = token ? tokenUser(token) ?? "(unknown user)" : "";
  $("signed-in-text").hidden = state.authRefused;
  $("refused-text").hidden = !state.authRefused;
  $("sign-out").textContent = state.authRefused ? "Forget it" : "Sign out";
  $("installed-signed-out").hidden = active;
  $("refresh").hidden = !active;
  $("shares-section").hidden = !active;
  $("sent-section").hidden = !active;
  $("audit-section").hidden = !active;
}

const catalogEntry = (slug) => state.catalog.find((p) => p.slug === slug);
const pluginName = (slug) => catalogEntry(slug)?.name || slug;

// `label` is the visible text; `name` (the plugin's) goes into the accessible name, so a screen
// reader's list of form fields says which plugin each picker belongs to.
function versionSelect(key, versions, preferred, label, name) {
  const sorted = [...versions].sort((a, b) => compareVersions(b, a));
  const chosen = state.chosen.get(key);
  const value = sorted.includes(chosen) ? chosen : preferred ?? sorted[0];
  const id = `select-${key.replace(/[^a-z0-9_-]/gi, "-")}`;
  const select = h("select", { id, dataset: { key, role: "version" }, attrs: { "aria-label": `${label} of ${name}` },
    onchange: (e) => state.chosen.set(key, e.target.value) },
    sorted.map((v, i) => h("option", { value: v, selected: v === value }, i === 0 ? `${v} (latest)` : v)));
  return [h("label", { htmlFor: id, className: "inline-label" }, label), select];
}

// Progress and error lines of a row, from state.
function rowStatus(key) {
  const busy = state.busy.get(key);
  const error = state.errors.get(key);
  return [
    busy ? h("div", { className: "progress", attrs: { role: "status" } }, h("progress", { attrs: { "aria-label": busy } }), h("span", {}, busy)) : null,
    !busy && error
      ? h("div", { className: "row-error", dataset: { role: "error" } },
        h("span", {}, error.detail ?? String(error.message ?? error)),
        error instanceof PluginApiError ? h("span", { className: "meta" }, problemMeta(error)) : null)
      : null,
  ];
}

function lockWhileBusy(row, key) {
  if (!state.busy.has(key)) return row;
  row.setAttribute("aria-busy", "true");
  row.classList.add("busy");
  for (const control of row.querySelectorAll("button, select, input")) control.disabled = true;
  return row;
}

// data-value keeps the API's word (files_missing); the text is for people (files missing).
function badge(text, className, role, value = text) {
  return h("span", { className: `badge ${className}`, dataset: { role, value } }, text.replace(/_/g, " "));
}

// A module's switch: the last enable/disable answer, else the list's disabled_modules; undefined
// when the server does not say (older services leave disabled_modules out).
function moduleEnabled(plugin, moduleId) {
  if (state.modules.has(moduleId)) return state.modules.get(moduleId);
  return Array.isArray(plugin.disabled_modules) ? !plugin.disabled_modules.includes(moduleId) : undefined;
}

// The module names Open is offered for: the enabled modules of an enabled plugin, once the server
// hands out a bundle URL. (The server refuses a disabled plugin's files; a module is an export
// inside the bundle, not a file, so the page alone keeps a disabled module closed.)
function openableModules(plugin) {
  if (!plugin.bundle_url || !plugin.scope || !plugin.enabled) return [];
  return (plugin.modules ?? []).filter((id) => moduleEnabled(plugin, id) !== false)
    .map((id) => moduleName(id, plugin.plugin_id));
}

function renderInstalled() {
  const list = $("installed");
  // The shown module is no longer offered (its plugin uninstalled or switched off, another user
  // signed in): it goes too.
  const shown = state.shownModule;
  if (shown && !state.installed.some((p) => p.plugin_slug === shown.slug && openableModules(p).includes(shown.module))) {
    closeModule();
  }
  $("installed-empty").hidden = !state.signedIn || state.installed.length > 0;
  fill(list, state.installed.map(installedCard));
}

function installedCard(plugin) {
  const slug = plugin.plugin_slug;
  const entry = catalogEntry(slug);
  const name = entry?.name || slug;
  const checked = state.checks.get(slug);
  // A full check's finding shows on top of a healthy list status; an unhealthy list status is
  // newer news (and a full check would report it too).
  const status = checked && plugin.status === "healthy" ? checked.status : plugin.status;
  const updateKey = `${slug}:update-version`;

  const openable = openableModules(plugin);
  const modules = (plugin.modules ?? []).map((moduleId) => {
    const module = moduleName(moduleId, plugin.plugin_id);
    const known = moduleEnabled(plugin, moduleId);
    return h("li", { className: "module", dataset: { module } },
      h("span", { className: "module-name" }, module),
      h("span", { className: "module-state", dataset: { role: "module-state" } },
        known === undefined ? "" : known ? "enabled" : "disabled"),
      h("span", { className: "button-row" },
        h("button", { type: "button", dataset: { key: `${slug}:module:${module}:enable`, action: "module-enable" },
          attrs: { "aria-label": `Enable module ${module} of ${name}` }, disabled: known === true,
          onclick: () => setModuleEnabled(slug, module, true) }, "Enable"),
        h("button", { type: "button", dataset: { key: `${slug}:module:${module}:disable`, action: "module-disable" },
          attrs: { "aria-label": `Disable module ${module} of ${name}` }, disabled: known === false,
          onclick: () => setModuleEnabled(slug, module, false) }, "Disable")));
  });

  const problems = checked && (checked.files?.missing?.length || checked.files?.modified?.length)
    ? h("p", { className: "check-result" },
      [checked.files.missing?.length ? `Missing: ${checked.files.missing.join(", ")}. ` : "",
        checked.files.modified?.length ? `Changed: ${checked.files.modified.join(", ")}.` : ""].join(""))
    : null;

  const card = h("li", { className: "card installed", dataset: { slug } },
    h("div", { className: "card-head" },
      h("h3", {}, name),
      h("span", { className: "version", dataset: { role: "version" } }, plugin.version)),
    h("div", { className: "badges" },
      badge(status, `status-${status}`, "status"),
      badge(plugin.enabled ? "enabled" : "disabled", plugin.enabled ? "on" : "off", "enabled"),
      plugin.update_available ? badge(`update ${plugin.latest_version} available`, "update", "update") : null),
    problems,
    rowStatus(slug),
    openable.length
      ? h("div", { className: "actions open-modules" }, openable.map((module) =>
        h("button", { type: "button", className: "primary", dataset: { key: `${slug}:open:${module}`, action: "open", module },
          attrs: { "aria-label": `Open module ${module} of ${name}` },
          onclick: () => openModule(plugin, module, name) }, `Open ${module}`)))
      : null,
    h("div", { className: "actions" },
      entry?.versions?.length
        ? h("span", { className: "field" },
          versionSelect(updateKey, entry.versions, plugin.latest_version, "Version", name),
          h("button", { type: "button", dataset: { key: `${slug}:update`, action: "update" },
            attrs: { "aria-label": `Update ${name}` },
            onclick: (e) => update(slug, e.target.closest("li").querySelector("select[data-role=version]").value) },
          "Update"))
        : null,
      h("button", { type: "button", dataset: { key: `${slug}:check`, action: "check" },
        attrs: { "aria-label": `Check files of ${name}` }, onclick: () => check(slug) }, "Check files"),
      h("button", { type: "button", dataset: { key: `${slug}:repair`, action: "repair" },
        attrs: { "aria-label": `Repair ${name}` }, onclick: () => repair(slug) }, "Repair"),
      h("button", { type: "button", dataset: { key: `${slug}:toggle`, action: plugin.enabled ? "disable" : "enable" },
        attrs: { "aria-label": `${plugin.enabled ? "Disable" : "Enable"} ${name}` },
        onclick: () => setEnabled(slug, !plugin.enabled) }, plugin.enabled ? "Disable" : "Enable"),
      h("button", { type: "button", dataset: { key: `${slug}:share`, action: "share" },
        attrs: { "aria-label": `Share ${name}…` }, onclick: () => share(slug, name) }, "Share…"),
      h("button", { type: "button", className: "danger", dataset: { key: `${slug}:uninstall`, action: "uninstall" },
        attrs: { "aria-label": `Uninstall ${name}` },
        onclick: () => uninstall(slug, name) }, "Uninstall")),
    modules.length
      ? h("details", { className: "modules", open: state.openModules.has(slug),
        ontoggle: (e) => (e.target.open ? state.openModules.add(slug) : state.openModules.delete(slug)) },
        h("summary", {}, `Modules (${modules.length})`), h("ul", {}, modules))
      : null);
  return lockWhileBusy(card, slug);
}

/**
 * One offer's card: the plugin (and, for the sender, to whom: one plugin offered to several users
 * gives cards that headings alone must tell apart), its version, and this side's buttons.
 */
function offerCard(offer, key, hint, buttons, recipientInHeading = false) {
  const plugin = pluginName(offer.plugin_slug);
  const name = recipientInHeading ? `${plugin} for ${offer.to_user}` : plugin;
  const row = h("li", { className: "card share", dataset: { shareId: String(offer.share_id), slug: offer.plugin_slug } },
    h("div", { className: "card-head" },
      h("h3", {}, name),
      h("span", { className: "version" }, offer.version)),
    h("p", { className: "hint" }, `${hint}, ${formatTime(offer.created_at)}`),
    rowStatus(key),
    h("div", { className: "actions" }, ...buttons.map(([action, label, ariaLabel, onclick]) =>
      h("button", { type: "button", dataset: { key: `${key}:${action}`, action }, attrs: { "aria-label": ariaLabel }, onclick },
        label))));
  return lockWhileBusy(row, key);
}

function renderShares() {
  $("shares-empty").hidden = state.shares.length > 0;
  fill($("shares"), state.shares.map((offer) => {
    const what = `${pluginName(offer.plugin_slug)} ${offer.version} from ${offer.from_user}`;
    return offerCard(offer, `share:${offer.share_id}`, `Offered by ${offer.from_user}`, [
      ["accept", "Accept", `Accept ${what}`, () => acceptShare(offer)],
      ["decline", "Decline", `Decline ${what}`, () => declineShare(offer)]]);
  }));
}

function renderSentShares() {
  $("sent-empty").hidden = state.sentShares.length > 0;
  fill($("sent-shares"), state.sentShares.map((offer) => {
    const what = `${pluginName(offer.plugin_slug)} ${offer.version} to ${offer.to_user}`;
    return offerCard(offer, `sent:${offer.share_id}`, `Offered to ${offer.to_user}`, [
      ["withdraw", "Withdraw", `Withdraw the offer of ${what}`, () => withdrawShare(offer)]], true);
  }));
}

function renderCatalog() {
  $("catalog-empty").hidden = state.catalog.length > 0;
  const installed = new Map(state.installed.map((p) => [p.plugin_slug, p]));
  fill($("catalog"), state.catalog.map((plugin) => {
    const slug = plugin.slug;
    const mine = installed.get(slug);
    const deps = Object.entries(plugin.dependencies ?? {}).map(([d, range]) => `${d} ${range}`);
    const versions = plugin.versions?.length ? plugin.versions : [plugin.version];
    const selectKey = `${slug}:install-version`;
    let action = null;
    if (state.signedIn && mine) {
      action = h("p", { className: "installed-note" }, `Installed: ${mine.version}`);
    } else if (state.signedIn) {
      action = h("div", { className: "actions" },
        h("span", { className: "field" },
          versionSelect(selectKey, versions, plugin.version, "Version", plugin.name || slug),
          h("button", { type: "button", className: "primary", dataset: { key: `${slug}:install`, action: "install" },
            attrs: { "aria-label": `Install ${plugin.name || slug}` },
            onclick: (e) => install(slug, e.target.closest("li").querySelector("select[data-role=version]").value) }, "Install")));
    }
    const row = h("li", { className: "card catalog", dataset: { slug } },
      h("div", { className: "card-head" },
        h("h3", {}, plugin.name || slug),
        h("span", { className: "version" }, plugin.version)),
      h("p", { className: "description" }, plugin.description || ""),
      h("p", { className: "hint" }, [
        plugin.author ? `by ${plugin.author}` : null,
        `${versions.length} version${versions.length === 1 ? "" : "s"}: ${[...versions].sort((a, b) => compareVersions(b, a)).join(", ")}`,
        `${plugin.modules_count ?? "?"} module${plugin.modules_count === 1 ? "" : "s"}`,
        deps.length ? `needs ${deps.join(", ")}` : null,
      ].filter(Boolean).join(" · ")),
      rowStatus(slug),
      action);
    return lockWhileBusy(row, slug);
  }));
}

function renderAudit() {
  const events = state.audit.events;
  $("audit-empty").hidden = events.length > 0;
  $("audit-more").hidden = !state.audit.next;
  // data-label: the column's name, shown beside each value when a phone stacks the rows.
  const cell = (label, text, className) => h("td", { className, dataset: { label } }, text);
  fill(document.querySelector("#audit tbody"), events.map((event) => h("tr", { dataset: { eventId: String(event.id) } },
    cell("When", formatTime(event.at)),
    cell("Action", event.action),
    cell("Plugin", event.plugin_slug),
    cell("Version", [event.from_version, event.to_version].filter(Boolean).join(" → ")),
    cell("Outcome", event.outcome, `outcome-${event.outcome}`),
    cell("By", event.actor === event.user_id ? event.actor : `${event.actor} for ${event.user_id}`),
    cell("Request", event.request_id ?? "", "mono"))));
}

// --- start -------------------------------------------------------------------------------

// A new user (or none): actions of the previous one are dropped (run()), questions asked for
// them are closed, and nothing of theirs stays on the page.
/** Empties what belongs to the signed-in user (the catalog is everyone's). */
function clearUserLists() {
  state.installed = [];
  state.shares = [];
  state.sentShares = [];
  state.audit = { events: [], next: null };
}

function resetUserState() {
  session += 1;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close("cancel");
  for (const map of [state.busy, state.errors, state.checks, state.modules, state.chosen, state.openModules]) map.clear();
  // The previous user's lists go at once, not when the next user's load arrives (nor stay if it fails).
  clearUserLists();
  $("notice").hidden = true;
  render(); // closes the previous user's module (its plugin is no longer listed)
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("token-input");
  const token = setToken(input.value);
  input.value = "";
  if (!token) return;
  resetUserState();
  refresh().then(() => $("sign-out").focus());
});
$("sign-out").addEventListener("click", () => {
  signOut();
  resetUserState();
  refresh().then(() => $("token-input").focus());
});
$("refresh").addEventListener("click", () => {
  // A reload shows the server's current status, not an older full check or error.
  state.checks.clear();
  state.errors.clear();
  refresh();
});
$("audit-more").addEventListener("click", moreAudit);
$("module-close").addEventListener("click", closeModule);

// A /#token=… link opened in a tab that already shows the page changes only the fragment.
window.addEventListener("hashchange", () => {
  if (takeTokenFromFragment()) {
    resetUserState();
    refresh();
  }
});

takeTokenFromFragment();
refresh();
