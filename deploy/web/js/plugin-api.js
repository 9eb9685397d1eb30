// Client for the plugin lifecycle API (API.md). No DOM access; an ES module in a .js file with
// no package.json beside it, so it loads as it is wherever the importer treats it as a module:
// browsers (<script type="module">, import), Node 20.19+ / 22.12+ (which detect the module
// syntax), or any Node 18+ when copied as .mjs or placed under a package.json with
// "type": "module" (fetch is global from Node 18). Every method resolves with the response's
// `data` and rejects with a PluginApiError that carries the problem's status, code, detail and
// request id.
//
//   import { createPluginClient } from "./plugin-api.js";
//   const api = createPluginClient({ baseUrl: "/api/plugins", getToken: () => myToken });
//   const { available_plugins } = await api.getAvailablePlugins();
//
// The named convenience exports (installPlugin, …) use a default client: base URL
// "/api/plugins" and no token until configureDefaultClient({ getToken }) is called.

/** Base URL of the API when none is given (same origin, behind nginx). */
export const DEFAULT_BASE_URL = "/api/plugins";

/**
 * A failed request: an HTTP error answered with problem+json, a non-JSON error, or a network
 * failure (status 0, code "network_error").
 */
export class PluginApiError extends Error {
  /**
   * @param {object} fields
   * @param {number} fields.status HTTP status (0 when no response arrived)
   * @param {string} fields.code the problem's machine-readable code, e.g. "already_installed"
   * @param {string} fields.detail the problem's human-readable detail
   * @param {string} [fields.title] the problem's title, e.g. "Conflict"
   * @param {string|null} [fields.requestId] X-Request-Id header (or the body's request_id)
   * @param {object|null} [fields.problem] the whole problem body, when there was one
   * @param {Error} [fields.cause] the underlying error of a network failure
   */
  constructor({ status, code, detail, title = "", requestId = null, problem = null, cause }) {
    super(detail || title || `HTTP ${status}`, cause ? { cause } : undefined);
    this.name = "PluginApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.title = title;
    this.requestId = requestId;
    this.problem = problem;
  }
}

// The contract's problem is flat ({"status","code","detail",...}); an envelope of the form
// {"success": false, "error": {...}} is accepted too so a proxy in that style still reads well.
function problemFields(body) {
  if (body && typeof body === "object") {
    if (body.error && typeof body.error === "object") return body.error;
    return body;
  }
  return {};
}

function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The PluginApiError of an answer that is not ok (it reads the body): the problem's code, detail,
 * title and request id (the X-Request-Id header first), or the HTTP status when the body is no
 * problem. Also for answers fetched outside a client (bundle-loader.js).
 * @param {Response} response
 * @returns {Promise<PluginApiError>}
 */
export async function answerError(response) {
  const parsed = parseJson(await response.text());
  const problem = problemFields(parsed);
  return new PluginApiError({
    status: response.status,
    code: typeof problem.code === "string" ? problem.code : `http_${response.status}`,
    detail: typeof problem.detail === "string" && problem.detail
      ? problem.detail
      : `HTTP ${response.status} ${response.statusText || ""}`.trim(),
    title: typeof problem.title === "string" ? problem.title : "",
    requestId: response.headers?.get?.("X-Request-Id") || problem.request_id || null,
    problem: parsed,
  });
}

/**
 * One path segment (slug, module, share id, user id), percent-encoded so "/", "?", "#" stay
 * inside it. encodeURIComponent leaves "." and ".." alone, and a URL parser resolves those as
 * dot-segments ("x/modules/../disable" would become "x/disable"); the WHATWG URL parser (fetch
 * in browsers and Node) treats "%2E" and "%2E%2E" as dot-segments too, so no encoding reaches
 * the server intact: such a segment, and an empty one (which would change the route), is
 * refused with a PluginApiError of code "invalid_argument" and nothing is sent.
 * @param {string|number} value
 * @returns {string}
 */
export function segment(value) {
  const text = value === undefined || value === null ? "" : String(value);
  const encoded = encodeURIComponent(text);
  // A literal "%2e" is safe: its "%" is sent as "%25".
  if (text === "" || text === "." || text === "..") {
    throw new PluginApiError({
      status: 0,
      code: "invalid_argument",
      detail: text === "" ? "An empty name or id cannot be part of a request path"
        : `"${text}" cannot be part of a request path (the URL would resolve it as a dot-segment)`,
    });
  }
  return encoded;
}

// Tagged template for a request path: every interpolated value is one encoded segment. Built
// inside request(), so a refused segment rejects the returned promise rather than throwing.
const path = (strings, ...values) => () => strings.reduce((out, part, i) => out + segment(values[i - 1]) + part);

/** @typedef {ReturnType<typeof createPluginClient>} PluginClient */

/**
 * Creates a client bound to one base URL and token provider.
 * @param {object} [options]
 * @param {string} [options.baseUrl="/api/plugins"] URL of the API root, without trailing slash
 * @param {() => (string|null|undefined|Promise<string|null|undefined>)} [options.getToken]
 *   returns the bearer token to send, or nothing for an anonymous request
 * @param {typeof fetch} [options.fetch] fetch implementation (default: the global fetch)
 * @returns {PluginClient}
 */
export function createPluginClient({ baseUrl = DEFAULT_BASE_URL, getToken = () => null, fetch: fetchImpl } = {}) {
  const root = String(baseUrl).replace(/\/+$/, "");
  const doFetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));

  /**
   * One request. `route` (a string, or a path`…` builder) is relative to the base URL; `body`
   * is sent as JSON when given.
   * @returns {Promise<any>} the response's data
   */
  async function request(method, route, { body, query } = {}) {
    const relative = typeof route === "function" ? route() : route;
    const headers = { Accept: "application/json, application/problem+json" };
    const token = await getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let url = `${root}/${relative}`;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== false) params.set(key, String(value));
      }
      const text = params.toString();
      if (text) url += `?${text}`;
    }

    let response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      throw new PluginApiError({
        status: 0,
        code: "network_error",
        detail: `The plugin service could not be reached (${error?.message || error})`,
        cause: error,
      });
    }
    if (!response.ok) throw await answerError(response);
    const parsed = parseJson(await response.text());
    if (parsed === null) {
      throw new PluginApiError({
        status: response.status,
        code: "invalid_response",
        detail: "The plugin service answered with something that is not JSON",
        requestId: response.headers?.get?.("X-Request-Id") || null,
      });
    }
    return parsed.data ?? {};
  }

  return {
    /** The base URL this client talks to. */
    baseUrl: root,

    /**
     * The catalog, keyed by canonical slug; with a token, each entry adds installed fields.
     * @returns {Promise<{available_plugins: Object<string, object>, total_count: number}>}
     */
    getAvailablePlugins: () => request("GET", "available"),

    /**
     * One catalog entry with every version.
     * @param {string} slug
     */
    getPluginInfo: (slug) => request("GET", path`${slug}/info`),

    /**
     * Versions of a plugin, newest first.
     * @param {string} slug
     * @returns {Promise<{plugin_slug: string, latest: string, versions: {version: string, dependencies: object}[]}>}
     */
    getPluginVersions: (slug) => request("GET", path`${slug}/versions`),

    /**
     * Installs a plugin (and its dependencies) for the signed-in user.
     * @param {string} slug
     * @param {string} [version] a catalog version; default: the latest
     */
    installPlugin: (slug, version) =>
      request("POST", path`${slug}/install`, { body: version ? { version } : {} }),

    /**
     * Removes the user's copy. With cascade, also the user's plugins that depend on it
     * (without it a needed plugin gets 409 dependency_in_use).
     * @param {string} slug
     * @param {{cascade?: boolean}} [options]
     */
    uninstallPlugin: (slug, { cascade = false } = {}) =>
      request("DELETE", path`${slug}/uninstall`, { query: { cascade: cascade ? "true" : undefined } }),

    /**
     * Health of the user's copy: healthy, files_missing, files_modified, modules_corrupted or
     * not_installed. verifyFull also compares each file's SHA-256.
     * @param {string} slug
     * @param {{verifyFull?: boolean}} [options]
     */
    checkPluginStatus: (slug, { verifyFull = false } = {}) =>
      request("GET", path`${slug}/status`, { query: { verify: verifyFull ? "full" : undefined } }),

    /**
     * Restores the user's plugin files and module records.
     * @param {string} slug
     */
    repairPlugin: (slug) => request("POST", path`${slug}/repair`),

    /**
     * Moves the user's copy to a version (default: the latest; older versions too).
     * @param {string} slug
     * @param {string} [version]
     */
    updatePlugin: (slug, version) =>
      request("PUT", path`${slug}/update`, { body: version ? { version } : {} }),

    /** Switches the user's plugin on (idempotent). @param {string} slug */
    enablePlugin: (slug) => request("POST", path`${slug}/enable`),

    /** Switches the user's plugin off, files and records kept (idempotent). @param {string} slug */
    disablePlugin: (slug) => request("POST", path`${slug}/disable`),

    /**
     * Switches one module of the user's plugin on.
     * @param {string} slug
     * @param {string} module the module's name, e.g. "ComponentNetworkStatus"
     */
    enableModule: (slug, module) =>
      request("POST", path`${slug}/modules/${module}/enable`),

    /**
     * Switches one module of the user's plugin off.
     * @param {string} slug
     * @param {string} module
     */
    disableModule: (slug, module) =>
      request("POST", path`${slug}/modules/${module}/disable`),

    /**
     * The user's plugins with status, enabled flag and available update.
     * @returns {Promise<{installed_plugins: object[], total_count: number}>}
     */
    getInstalledPlugins: () => request("GET", "installed"),

    /**
     * The user's plugins that have a newer version.
     * @returns {Promise<{available_updates: object[], total_count: number}>}
     */
    getUpdates: () => request("GET", "updates"),

    /**
     * Offers the user's installed version of a plugin to other users.
     * @param {string} slug
     * @param {string[]} userIds
     */
    sharePlugin: (slug, userIds) => request("POST", path`${slug}/share`, { body: { user_ids: userIds } }),

    /**
     * Open offers made to the user, or with `direction: "sent"` the ones the user made (which
     * `declineShare` withdraws).
     * @param {{direction?: "received"|"sent"}} [options]
     * @returns {Promise<{shares: object[], total_count: number}>}
     */
    getShares: ({ direction } = {}) => request("GET", "shared", { query: { direction } }),

    /** Accepts an offer: installs the offered version. @param {string|number} shareId */
    acceptShare: (shareId) => request("POST", path`shared/${shareId}/accept`),

    /** Declines an offer (recipient) or withdraws it (sender). @param {string|number} shareId */
    declineShare: (shareId) => request("DELETE", path`shared/${shareId}`),

    /**
     * Lifecycle events, newest first; pass the previous answer's next_cursor for more.
     * @param {{limit?: number, cursor?: string|null}} [options]
     * @returns {Promise<{events: object[], next_cursor: string|null}>}
     */
    getAudit: ({ limit, cursor } = {}) => request("GET", "audit", { query: { limit, cursor } }),

    /** Worker and database liveness (public). */
    health: () => request("GET", "health"),

    /**
     * Admin: installs a plugin for many users.
     * @param {string} slug
     * @param {string[]} userIds
     * @param {string} [version]
     */
    bulkInstall: (slug, userIds, version) =>
      request("POST", path`${slug}/bulk-install`, {
        body: version ? { user_ids: userIds, version } : { user_ids: userIds },
      }),

    /**
     * Admin: uninstalls a plugin for many users.
     * @param {string} slug
     * @param {string[]} userIds
     */
    bulkUninstall: (slug, userIds) => request("POST", path`${slug}/bulk-uninstall`, { body: { user_ids: userIds } }),

    /** Admin: removes every install and share of a deleted user. @param {string} userId */
    purgeUser: (userId) => request("DELETE", path`users/${userId}`),
  };
}

// The default client's token provider can be replaced without replacing the client, so the
// convenience exports below keep working after sign-in.
let defaultOptions = { baseUrl: DEFAULT_BASE_URL, getToken: () => null };
let defaultClient = createPluginClient(defaultOptions);

/**
 * Reconfigures the client behind the convenience exports.
 * @param {{baseUrl?: string, getToken?: Function, fetch?: typeof fetch}} options
 */
export function configureDefaultClient(options) {
  defaultOptions = { ...defaultOptions, ...options };
  defaultClient = createPluginClient(defaultOptions);
}

/** The client behind the convenience exports. @returns {PluginClient} */
export const getDefaultClient = () => defaultClient;

/** @see PluginClient.getAvailablePlugins */
export const getAvailablePlugins = () => defaultClient.getAvailablePlugins();
/** @see PluginClient.getPluginInfo @param {string} slug */
export const getPluginInfo = (slug) => defaultClient.getPluginInfo(slug);
/** @see PluginClient.getPluginVersions @param {string} slug */
export const getPluginVersions = (slug) => defaultClient.getPluginVersions(slug);
/** @see PluginClient.installPlugin @param {string} slug @param {string} [version] */
export const installPlugin = (slug, version) => defaultClient.installPlugin(slug, version);
/** @see PluginClient.uninstallPlugin @param {string} slug @param {{cascade?: boolean}} [options] */
export const uninstallPlugin = (slug, options) => defaultClient.uninstallPlugin(slug, options);
/** @see PluginClient.checkPluginStatus @param {string} slug @param {{verifyFull?: boolean}} [options] */
export const checkPluginStatus = (slug, options) => defaultClient.checkPluginStatus(slug, options);
/** @see PluginClient.repairPlugin @param {string} slug */
export const repairPlugin = (slug) => defaultClient.repairPlugin(slug);
/** @see PluginClient.updatePlugin @param {string} slug @param {string} [version] */
export const updatePlugin = (slug, version) => defaultClient.updatePlugin(slug, version);
/** @see PluginClient.enablePlugin @param {string} slug */
export const enablePlugin = (slug) => defaultClient.enablePlugin(slug);
/** @see PluginClient.disablePlugin @param {string} slug */
export const disablePlugin = (slug) => defaultClient.disablePlugin(slug);
/** @see PluginClient.enableModule @param {string} slug @param {string} module */
export const enableModule = (slug, module) => defaultClient.enableModule(slug, module);
/** @see PluginClient.disableModule @param {string} slug @param {string} module */
export const disableModule = (slug, module) => defaultClient.disableModule(slug, module);
/** @see PluginClient.getInstalledPlugins */
export const getInstalledPlugins = () => defaultClient.getInstalledPlugins();
/** @see PluginClient.getUpdates */
export const getUpdates = () => defaultClient.getUpdates();
/** @see PluginClient.sharePlugin @param {string} slug @param {string[]} userIds */
export const sharePlugin = (slug, userIds) => defaultClient.sharePlugin(slug, userIds);
/** @see PluginClient.getShares @param {{direction?: "received"|"sent"}} [options] */
export const getShares = (options) => defaultClient.getShares(options);
/** @see PluginClient.acceptShare @param {string|number} shareId */
export const acceptShare = (shareId) => defaultClient.acceptShare(shareId);
/** @see PluginClient.declineShare @param {string|number} shareId */
export const declineShare = (shareId) => defaultClient.declineShare(shareId);
/** @see PluginClient.getAudit @param {{limit?: number, cursor?: string|null}} [options] */
export const getAudit = (options) => defaultClient.getAudit(options);
/** @see PluginClient.health */
export const health = () => defaultClient.health();
/** @see PluginClient.bulkInstall @param {string} slug @param {string[]} userIds @param {string} [version] */
export const bulkInstall = (slug, userIds, version) => defaultClient.bulkInstall(slug, userIds, version);
/** @see PluginClient.bulkUninstall @param {string} slug @param {string[]} userIds */
export const bulkUninstall = (slug, userIds) => defaultClient.bulkUninstall(slug, userIds);
/** @see PluginClient.purgeUser @param {string} userId */
export const purgeUser = (userId) => defaultClient.purgeUser(userId);
