// dom.js: building elements without innerHTML (nothing a message holds is ever parsed as HTML),
// formatting numbers, and the confirmation dialog.

/** h makes an element: attributes (on* become listeners) and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** replace empties an element and fills it with the children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** num formats a count with thousands separators. */
export function num(n) {
  return n === undefined || n === null ? '–' : Number(n).toLocaleString('en-US');
}

/** bytes formats a size in B, KiB, MiB or GiB. */
export function bytes(n) {
  if (n === undefined || n === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}

/** age formats milliseconds as 850 ms, 12 s, 4 min, 3 h or 2 d; null as a dash. */
export function age(ms) {
  if (ms === undefined || ms === null) return '–';
  if (ms < 1000) return ms + ' ms';
  const s = ms / 1000;
  if (s < 120) return s.toFixed(s < 10 ? 1 : 0) + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  if (s < 172800) return Math.round(s / 3600) + ' h';
  return Math.round(s / 86400) + ' d';
}

/** rate formats messages a second. */
export function rate(r) {
  if (r === undefined || r === null) return '–';
  return (r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(r >= 10 ? 1 : 2)) + '/s';
}

/** json pretty-prints a JSON value. */
export function json(v) {
  return JSON.stringify(v, null, 2);
}

/**
 * confirm asks in the page's modal dialog (focus stays in it, Escape cancels) and resolves to
 * true when the user confirms.
 */
export function confirm(title, text, action) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = action;
  dialog.returnValue = '';
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

/** field is a labelled control: the label's for= points at the control's id. */
export function field(label, control, hint) {
  return h('div', {}, h('label', { for: control.id }, label), control, hint ? h('span', { class: 'hint' }, hint) : null);
}
