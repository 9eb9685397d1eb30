// Tiny element builder. Text goes in as text nodes only (never parsed as HTML), so data from the
// server cannot inject markup.

/**
 * h("button", {className: "x", dataset: {action: "install"}, onclick: fn}, "Install")
 * Props: className, dataset, attrs (plain attributes), on* (listeners), anything else is set as
 * a property (disabled, value, type, …). Children: nodes, strings, numbers; null/false skipped.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "attrs") {
      for (const [name, attr] of Object.entries(value)) {
        if (attr !== undefined && attr !== null && attr !== false) element.setAttribute(name, String(attr));
      }
    } else if (key.startsWith("on") && typeof value === "function") element.addEventListener(key.slice(2), value);
    else element[key] = value;
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}
