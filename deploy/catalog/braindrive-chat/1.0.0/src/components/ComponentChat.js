// Module "./ComponentChat" of the container in dist/remoteEntry.js, which holds this same code in ES5,
// written by hand (no build step, no React): mount(el, props) renders one paragraph as text and
// returns the function that removes it.
const MARK = "copy:AAAAAAAA"; // tests flip the letters in dist/remoteEntry.js (same size)

export function mount(el, props) {
  const p = el.ownerDocument.createElement("p");
  p.textContent = `BrainDrive Chat 1.0.0: ComponentChat (${MARK})`;
  el.replaceChildren(p);
  return () => {
    if (p.parentNode === el) el.removeChild(p);
  };
}

export default { mount };
