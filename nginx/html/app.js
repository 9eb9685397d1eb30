// Placeholder plugin manager: lists the catalog, the caller's status per plugin, and installs or
// uninstalls with the bearer token. Plain ES module, no build step; data is shown with textContent.
const TOKEN_KEY = "plugin-lifecycle-token";
const API = "/api/plugins";

// A token handed over as #token=… (deploy/run prints such a link) moves to sessionStorage and
// leaves the address bar, so it is not bookmarked or shared by copying the URL.
function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname + location.search);
  }
}

const token = () => sessionStorage.getItem(TOKEN_KEY);

// The user id in the token, for display only (the server verifies the token; this does not).
function tokenSubject(t) {
  try {
    const payload = JSON.parse(atob(t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return String(payload.sub ?? "?");
  } catch {
    return "?";
  }
}

class ProblemError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function api(method, path) {
  const headers = { Accept: "application/json" };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const response = await fetch(`${API}/${path}`, { method, headers });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ProblemError(response.status, body);
  return body?.data ?? {};
}

function showMessage(kind, text, problem) {
  const box = document.getElementById("message");
  box.hidden = false;
  box.className = kind;
  box.replaceChildren(document.createTextNode(text));
  if (problem && (problem.code || problem.request_id)) {
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [problem.code, problem.request_id && `request ${problem.request_id}`]
      .filter(Boolean).join(" · ");
    box.append(meta);
  }
}

function showError(error) {
  if (error instanceof ProblemError) {
    const hint = error.status === 401 ? " Paste a fresh token." : "";
    showMessage("error", `${error.status}: ${error.message}${hint}`, error.problem);
  } else {
    showMessage("error", `Request failed: ${error.message}`);
  }
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

async function statusOf(slug) {
  try {
    return await api("GET", `${encodeURIComponent(slug)}/status`);
  } catch (error) {
    return { status: error.problem?.code || "unknown" };
  }
}

async function act(button, method, path, doneText) {
  button.disabled = true;
  try {
    const data = await api(method, path);
    showMessage("ok", doneText(data));
  } catch (error) {
    showError(error);
  } finally {
    await render();
  }
}

async function render() {
  const tbody = document.querySelector("#plugins tbody");
  const t = token();
  document.getElementById("who").textContent = t
    ? `Signed in as ${tokenSubject(t)} (token kept in this tab only).`
    : "No token: showing the public catalog only.";

  let catalog;
  try {
    catalog = await api("GET", "available");
  } catch (error) {
    showError(error);
    tbody.replaceChildren();
    return;
  }
  const plugins = Object.values(catalog.available_plugins || {});
  plugins.sort((a, b) => String(a.name || a.slug).localeCompare(String(b.name || b.slug)));
  document.getElementById("empty").hidden = plugins.length > 0;

  const statuses = t ? await Promise.all(plugins.map((p) => statusOf(p.slug))) : [];
  const rows = plugins.map((plugin, i) => {
    const tr = document.createElement("tr");
    const nameCell = cell(plugin.name || plugin.slug);
    nameCell.append(document.createElement("br"));
    const slug = document.createElement("span");
    slug.className = "slug";
    slug.textContent = plugin.slug;
    nameCell.append(slug);
    tr.append(nameCell, cell(plugin.version), cell(plugin.description));

    const status = statuses[i]?.status ?? (t ? "unknown" : "—");
    const installed = Boolean(plugin.installed ?? statuses[i]?.exists);
    tr.append(cell(plugin.installed_version || statuses[i]?.version || (installed ? "?" : "")));
    tr.append(cell(status, `status-${status}`));

    const actions = document.createElement("td");
    if (t) {
      const button = document.createElement("button");
      const slugPath = encodeURIComponent(plugin.slug);
      if (installed) {
        button.textContent = "Uninstall";
        button.addEventListener("click", () =>
          act(button, "DELETE", `${slugPath}/uninstall`, (d) => `Uninstalled ${(d.uninstalled || [plugin.slug]).join(", ")}`));
      } else {
        button.textContent = "Install";
        button.addEventListener("click", () =>
          act(button, "POST", `${slugPath}/install`, (d) => `Installed ${d.plugin_slug || plugin.slug} ${d.version || ""}`));
      }
      actions.append(button);
    }
    tr.append(actions);
    return tr;
  });
  tbody.replaceChildren(...rows);
}

function setUpTokenForm() {
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("token-input");
    const value = input.value.trim().replace(/^Bearer\s+/i, "");
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    input.value = "";
    render();
  });
  document.getElementById("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    document.getElementById("message").hidden = true;
    render();
  });
}

takeTokenFromFragment();
setUpTokenForm();
render();
