// The signed-in user's bearer token. It arrives in the URL fragment (/#token=…, as deploy/run
// prints it) or from the paste field, and lives in sessionStorage: one tab, gone when it closes.
const TOKEN_KEY = "plugin-lifecycle-token";

/**
 * Moves a token from the address bar's #token=… into sessionStorage and removes it from the
 * address bar (history.replaceState), so it is not bookmarked, shared or left in the history.
 * @returns {boolean} whether a token was taken
 */
export function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (!token) return false;
  params.delete("token");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  setToken(token);
  return true;
}

/** @returns {string|null} */
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: behave as signed out
  }
}

/** Stores a pasted token; a leading "Bearer " is dropped. @param {string} value */
export function setToken(value) {
  const token = String(value).trim().replace(/^Bearer\s+/i, "");
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  return token;
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * The user id the token names, for display only: the server verifies the token, this does not.
 * Mirrors the contract: `sub` with hyphens removed.
 * @param {string|null} token
 * @returns {string|null}
 */
export function tokenUser(token) {
  if (!token) return null;
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const payload = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")));
    return payload.sub == null ? null : String(payload.sub).replace(/-/g, "");
  } catch {
    return null;
  }
}
