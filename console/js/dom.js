/**
 * DOM helpers. Everything from the API is untrusted (label text comes from photos), so text is only ever set
 * through text nodes and attributes — never innerHTML.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'indeterminate') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** `h('a', { href }, 'text', child)` — an element with attributes, listeners and (text) children. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Tell screen-reader users what just happened (the live region in index.html). */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => (region.textContent = text), 30);
}

/** A notice box: kind is info | success | warning | error. Errors are announced as alerts. */
export function notice(kind, title, ...body) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, title ? h('strong', {}, title) : null, body.length ? h('div', { class: 'notice-body' }, body) : null);
}

export function emptyState(title, ...body) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), body.length ? h('p', {}, body) : null);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

/** True when a key press happens inside something the user types into. */
export function isTyping(target) {
  const t = target;
  return !!t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

/**
 * A modal dialog (native <dialog>) that resolves with the text entered (or true) on confirm, null on cancel.
 * Ctrl/⌘+Enter confirms, Esc cancels.
 */
export function confirmDialog({ title, message, confirmLabel = 'Confirm', danger = false, input }) {
  return new Promise((resolve) => {
    const field = input
      ? h(input.multiline ? 'textarea' : 'input', { id: 'dialog-input', rows: input.multiline ? 3 : undefined, required: input.required, placeholder: input.placeholder, value: input.value ?? '' })
      : null;
    const error = h('p', { class: 'field-error', role: 'alert' });
    const confirmBtn = h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary' }, confirmLabel);
    const cancelBtn = h('button', { type: 'button', class: 'btn', onClick: () => finish(null) }, 'Cancel');
    const form = h(
      'form',
      { method: 'dialog', onSubmit: (e) => {
        e.preventDefault();
        const value = field ? field.value.trim() : true;
        if (input?.required && !value) {
          error.textContent = input.requiredMessage ?? 'This is required.';
          field.focus();
          return;
        }
        finish(value);
      } },
      h('h2', { class: 'dialog-title', id: 'dialog-title' }, title),
      message ? h('p', {}, message) : null,
      field ? h('div', { class: 'field' }, h('label', { for: 'dialog-input' }, input.label), field, error) : null,
      h('div', { class: 'dialog-actions' }, cancelBtn, confirmBtn),
      h('p', { class: 'hint' }, h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'), ' confirms, ', h('kbd', {}, 'Esc'), ' cancels.'),
    );
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' }, form);
    let done = false;
    function finish(value) {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    }
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(null);
    });
    dialog.addEventListener('keydown', (e) => {
      // Keys typed in the dialog are the dialog's: the page's own shortcuts must not see them.
      e.stopPropagation();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    (field ?? confirmBtn).focus();
  });
}
