// Loads a plugin's Module Federation container (its dist/remoteEntry.js, a webpack `var` library)
// and mounts one of its modules in a panel: webpack's "dynamic remote containers" steps without a
// webpack runtime. <script src=bundle_url>, then window[scope], container.init(shareScope),
// (await container.get("./" + module))().mount(panel, props).
//
// A failed <script> says nothing about why, so the loader fetches the URL again and shows the
// problem (title, code, detail, request id) in the panel with role="alert": an expired or altered
// signed URL fails visibly. Everything is written as text. The document and window are the
// panel's own (panel.ownerDocument), so one page (or a test's stand-in) holds one set of state.
//
//   import { loadModule, unmountModule } from "./bundle-loader.js";
//   await loadModule({ bundleUrl: item.bundle_url, scope: item.scope, module: "ComponentChat", panel });

import { answerError, PluginApiError } from "./plugin-api.js";
import { problemMeta } from "./format.js";

// Per window: one share scope for the page's life (a container refuses a second one), and one
// loading container per bundle URL, so its <script> is added once.
const windows = new WeakMap();
// Per panel: the mounted module's unmount function, and a counter so that only the newest of
// overlapping loads mounts (a slow load finishing after a later click is dropped).
const panels = new WeakMap();

function windowState(win) {
  let state = windows.get(win);
  if (!state) {
    state = { shareScope: {}, containers: new Map() };
    windows.set(win, state);
  }
  return state;
}

function panelState(panel) {
  let state = panels.get(panel);
  if (!state) {
    state = { generation: 0, unmount: null };
    panels.set(panel, state);
  }
  return state;
}

/**
 * The container that bundleUrl defines as the global `scope`, initialised with the page's share
 * scope. Its <script> is added once per URL; a failed load is forgotten (and its script removed),
 * so opening again tries again.
 */
function container(doc, bundleUrl, scope) {
  const win = doc.defaultView;
  const { shareScope, containers } = windowState(win);
  let loading = containers.get(bundleUrl);
  if (loading) return loading;
  const script = doc.createElement("script");
  loading = new Promise((resolve, reject) => {
    script.addEventListener("load", () => {
      // Taken now: a later script of another version of the plugin replaces the global.
      const found = Object.prototype.hasOwnProperty.call(win, scope) ? win[scope] : undefined;
      if (!found || typeof found.get !== "function" || typeof found.init !== "function") {
        reject(new PluginApiError({ status: 0, code: "container_missing",
          detail: `The bundle loaded but defines no Module Federation container named "${scope}"` }));
        return;
      }
      resolve(Promise.resolve().then(() => found.init(shareScope)).then(() => found));
    });
    script.addEventListener("error", () => whyNotLoaded(win, bundleUrl).then(reject, reject));
  });
  containers.set(bundleUrl, loading);
  loading.catch(() => {
    containers.delete(bundleUrl);
    script.remove();
  });
  script.src = bundleUrl;
  doc.head.append(script);
  return loading;
}

/** The error to show for a <script> that did not load: the server's problem, asked again. */
async function whyNotLoaded(win, bundleUrl) {
  let response;
  try {
    // No Authorization, like the script tag; no-store: the server's answer now, not a cached one.
    response = await win.fetch(bundleUrl, { cache: "no-store" });
  } catch (error) {
    return new PluginApiError({ status: 0, code: "network_error",
      detail: `The plugin's bundle could not be fetched (${error?.message || error})`, cause: error });
  }
  if (!response.ok) return answerError(response);
  return new PluginApiError({ status: response.status, code: "script_failed",
    detail: "The browser did not run the plugin's bundle, although the server delivers it now; open it again",
    requestId: response.headers.get("X-Request-Id") });
}

/** Shows an error in the panel: the problem's title and detail, then code, status and request id. */
function showProblem(panel, error) {
  const doc = panel.ownerDocument;
  const line = (className, text) => {
    const p = doc.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  };
  const box = doc.createElement("div");
  box.className = "module-error";
  box.setAttribute("role", "alert");
  box.dataset.role = "module-error";
  box.dataset.code = error?.code ?? "module_failed";
  box.append(line("module-error-title", error?.title || "The module could not be opened"),
    line("module-error-detail", error instanceof PluginApiError ? error.detail : String(error?.message ?? error)));
  if (error instanceof PluginApiError) box.append(line("meta", problemMeta(error)));
  panel.replaceChildren(box);
}

/**
 * Unmounts the panel's module (if any) and empties the panel; a load still running for it will
 * not mount.
 * @param {Element} panel
 */
export function unmountModule(panel) {
  const state = panelState(panel);
  state.generation += 1;
  const unmount = state.unmount;
  state.unmount = null;
  try {
    unmount?.();
  } finally {
    panel.replaceChildren();
  }
}

/**
 * Loads the bundle's container and mounts `module` in `panel`, after unmounting the module shown
 * there before. Never rejects: a failure is shown in the panel (role="alert").
 * @param {object} options
 * @param {string} options.bundleUrl the item's bundle_url (a same-origin path)
 * @param {string} options.scope the container's global name (the item's scope)
 * @param {string} options.module a module name of the manifest ("ComponentChat"), exposed as "./ComponentChat"
 * @param {Element} options.panel where the module renders
 * @param {object} [options.props] passed to the module's mount
 * @returns {Promise<PluginApiError|Error|null>} null once mounted, else the error shown; also
 *   null when a newer load or unmountModule replaced this one
 */
export async function loadModule({ bundleUrl, scope, module, panel, props = {} }) {
  unmountModule(panel);
  const state = panelState(panel);
  const mine = state.generation;
  try {
    const found = await container(panel.ownerDocument, bundleUrl, scope);
    const factory = await found.get(`./${module}`);
    if (mine !== state.generation) return null;
    const unmount = factory().mount(panel, props);
    state.unmount = typeof unmount === "function" ? unmount : null;
    return null;
  } catch (error) {
    if (mine !== state.generation) return null;
    showProblem(panel, error);
    return error;
  }
}
