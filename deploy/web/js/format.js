// Small pure helpers for display.

/**
 * Semver order (major.minor.patch, a pre-release sorts before its release); anything that is not
 * semver falls back to text order. Negative when a < b.
 */
export function compareVersions(a, b) {
  const parse = (v) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/.exec(String(v));
    return m ? { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ?? null } : null;
  };
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return String(a).localeCompare(String(b));
  for (let i = 0; i < 3; i++) if (pa.nums[i] !== pb.nums[i]) return pa.nums[i] - pb.nums[i];
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === null) return 1;
  if (pb.pre === null) return -1;
  return pa.pre.localeCompare(pb.pre, undefined, { numeric: true });
}

/** An ISO timestamp in the reader's locale, or the text as it came when it is not a date. */
export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** A module's name from its id: "{plugin_id}_{ModuleName}" (API.md, Slugs and ids). */
export function moduleName(moduleId, pluginId) {
  const prefix = `${pluginId}_`;
  return String(moduleId).startsWith(prefix) ? String(moduleId).slice(prefix.length) : String(moduleId);
}

/** Text ending in one full stop (a problem's detail usually has none), to add another sentence. */
export function sentence(text) {
  const trimmed = String(text ?? "").trimEnd();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** A problem's code, HTTP status and request id on one line ("plugin_disabled · HTTP 403 · request …"). */
export function problemMeta(error) {
  return [error.code, error.status ? `HTTP ${error.status}` : null, error.requestId && `request ${error.requestId}`]
    .filter(Boolean).join(" · ");
}
