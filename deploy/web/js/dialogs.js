// Modal questions with <dialog>: showModal() traps focus inside and Escape cancels; on close the
// focus goes back to where it was, so a keyboard user continues from the button they pressed.

function openModal(dialog, onClose) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    dialog.addEventListener("close", function handler() {
      dialog.removeEventListener("close", handler);
      resolve(onClose(dialog.returnValue));
      // The opener may have been re-rendered away meanwhile; then focus stays where it lands.
      if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
    });
    dialog.returnValue = "";
    dialog.showModal();
    // Cancel is type=button, so Enter in a text field submits the form with the real action.
    dialog.querySelector("[data-role=cancel]").onclick = () => dialog.close("cancel");
  });
}

/**
 * Asks a yes/no question. Cancel has the focus first: the safe answer is one Enter away.
 * @param {{title: string, text: string, confirmLabel: string}} question
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, text, confirmLabel }) {
  const dialog = document.getElementById("confirm-dialog");
  dialog.querySelector("[data-role=title]").textContent = title;
  dialog.querySelector("[data-role=text]").textContent = text;
  dialog.querySelector("button[value=confirm]").textContent = confirmLabel;
  return openModal(dialog, (value) => value === "confirm");
}

/**
 * Asks for the user ids to offer a plugin to (comma- or space-separated).
 * @param {string} pluginName
 * @returns {Promise<string[]|null>} null when cancelled
 */
export function askUserIds(pluginName) {
  const dialog = document.getElementById("share-dialog");
  const input = dialog.querySelector("input");
  dialog.querySelector("[data-role=title]").textContent = `Offer ${pluginName} to other users`;
  input.value = "";
  return openModal(dialog, (value) => {
    if (value !== "confirm") return null;
    const ids = input.value.split(/[\s,]+/).filter(Boolean);
    return ids.length ? ids : null;
  });
}
