// DOM helpers. Data from the API (key names, tags, messages) only ever becomes text nodes or
// textContent, never HTML: a key named `<img src=x onerror=...>` is shown as those characters.

/**
 * The element with this id; throws when the page lacks it (a bug in index.html, not input).
 * Typed loosely (inputs, dialogs and tables alike): the ids are the page's own markup.
 * @param {string} id
 * @returns {any}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} is missing from the page`);
  return node;
}

/** A new element with properties (className, title, dataset...) and children; strings become text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'dataset') Object.assign(node.dataset, value);
    else node[name] = value;
  }
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

export function setText(id, text) {
  byId(id).textContent = text;
}

/** Shows an action's outcome in its status line: green when done, red with the error when not. */
export function showResult(id, ok, text) {
  const node = byId(id);
  node.className = ok ? 'ok' : 'failed';
  node.textContent = text;
}

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export const formatCount = (value) => integer.format(value);
export const formatPercent = (ratio) => `${decimal.format(ratio * 100)} %`;
export const formatMs = (ms) => (ms === null || ms === undefined ? '–' : `${decimal.format(ms)} ms`);

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${decimal.format(bytes / 1024)} kB`;
  return `${decimal.format(bytes / 1024 / 1024)} MB`;
}

export function formatDuration(ms) {
  if (ms === null) return 'never expires';
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${decimal.format(seconds / 3600)} h`;
}

/** Splits "a, b,c" into ["a", "b", "c"]; empty when nothing was typed. */
export function splitList(text) {
  return text.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

/**
 * Asks in the page's own dialog (not window.confirm, which blocks the page and cannot be styled);
 * resolves true only when the operator pressed Confirm.
 */
export function confirmAction(message) {
  const dialog = byId('confirm');
  byId('confirm-message').textContent = message;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

/** Disables a form's buttons while `work` runs, so an action is not sent twice. */
export async function whileBusy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  for (const button of buttons) button.disabled = true;
  try {
    return await work();
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}
