// dead-letters.js: the dead-letter topics (dlq.*), and one of them with each letter's provenance
// laid out from the headers the broker writes (docs/decisions/0006-groups-and-dead-letters.md),
// and redrive of one group's letters back to that group after a confirmation.
import { api } from './api.js';
import { access } from './access.js';
import { Browser } from './messages.js';
import { disable } from './topic.js';
import { h, replace, num, json, confirm, field } from './dom.js';

const PROVENANCE = new Set(['x-original-topic', 'x-original-offset', 'x-original-id', 'x-group', 'x-delivery-count',
  'x-dead-letter-reason', 'x-last-error', 'x-first-failure-at']);

export class DeadLetters {
  constructor(main, topic) {
    this.main = main;
    this.topic = topic;
  }

  start() {
    if (this.topic) this.one(this.topic);
    else this.list();
  }

  stop() {}

  async list() {
    const body = h('div', {}, h('p', { class: 'muted' }, 'Reading…'));
    replace(this.main, h('h1', {}, 'Dead letters'),
      h('p', { class: 'hint' }, 'A message delivered MAX_DELIVERIES times without an ack moves to dlq.{topic}.'),
      h('section', { class: 'card' }, body));
    try {
      const topics = (await api.topics()).filter(t => t.name.startsWith('dlq.'));
      replace(body, topics.length === 0 ? h('p', { class: 'muted', id: 'no-dead-letters' }, 'No dead letters.') :
        h('div', { class: 'scroll' }, h('table', { id: 'dead-letter-topics' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Dead-letter topic'), h('th', { scope: 'col' }, 'Of topic'),
            h('th', { scope: 'col', class: 'num' }, 'Dead letters'))),
          h('tbody', {}, topics.map(t => h('tr', {},
            h('th', { scope: 'row' }, h('a', { href: '#/dead-letters/' + encodeURIComponent(t.name) }, t.name)),
            h('td', {}, h('a', { href: '#/topics/' + encodeURIComponent(t.name.slice(4)) }, t.name.slice(4))),
            h('td', { class: 'num' }, num(t.messages))))))));
    } catch (e) {
      replace(body, h('p', { class: 'error', role: 'alert' }, 'Could not list the topics: ' + e.detail));
    }
  }

  one(dlq) {
    const original = dlq.replace(/^dlq\./, '');
    const x = (m, name) => (m.headers || {})[name] ?? '–';
    const other = m => Object.fromEntries(Object.entries(m.headers || {}).filter(([k]) => !PROVENANCE.has(k)));
    this.browser = new Browser(dlq, 'dead-letters', [
      { label: 'Offset', num: true, cell: m => String(m.offset) },
      { label: 'Original', cell: m => h('span', {}, h('a', { href: '#/topics/' + encodeURIComponent(x(m, 'x-original-topic')) },
        x(m, 'x-original-topic')), ' @ ', x(m, 'x-original-offset')) },
      { label: 'Group', cell: m => x(m, 'x-group') },
      { label: 'Deliveries', num: true, cell: m => x(m, 'x-delivery-count') },
      { label: 'Reason', cell: m => x(m, 'x-dead-letter-reason') },
      { label: 'Last error', cell: m => x(m, 'x-last-error') },
      { label: 'First failure', cell: m => x(m, 'x-first-failure-at') },
      { label: 'Dead-lettered', cell: m => m.timestamp },
      { label: 'Data and headers', cell: m => h('pre', {}, json(m.data) + (Object.keys(other(m)).length ? '\n' + json(other(m)) : '')) },
    ]);
    const group = h('select', { id: 'redrive-group' });
    const button = h('button', { type: 'submit', id: 'redrive-submit' }, 'Redrive');
    const reason = h('p', { class: 'reason', id: 'redrive-reason' });
    const result = h('p', { class: 'status', id: 'redrive-result', role: 'status' });
    const form = h('form', { class: 'stack', id: 'redrive' },
      h('p', { class: 'hint' }, `Hands the group's dead letters back to that group alone, oldest first: they are appended to `
        + `${original} again with retryCount 0 and x-redrive-group; other groups skip them. A second redrive hands back nothing twice.`),
      h('div', { class: 'row' }, field('Group', group), h('div', {}, button)), reason, result);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const g = group.value;
      if (!g) return;
      const yes = await confirm(`Redrive to ${g}?`, `The dead letters of group ${g} go back to ${original} for ${g}.`, 'Redrive');
      if (!yes) {
        button.focus();
        return;
      }
      button.disabled = true;
      replace(result, 'Redriving…');
      result.className = 'status';
      try {
        const r = await api.redrive(original, g);
        result.className = 'status okay';
        replace(result, r.redriven === 0 ? `Nothing to redrive for ${g}: its dead letters were redriven before.`
          : `Redriven: ${r.redriven} dead letter${r.redriven === 1 ? '' : 's'} of ${g} back on ${original}.`,
        ' ', h('a', { href: '#/topics/' + encodeURIComponent(original) }, `See ${original}`));
      } catch (e) {
        result.className = 'status error';
        replace(result, `Refused (${e.status} ${e.code}): ${e.detail}`);
      } finally {
        button.disabled = group.options.length === 0 || this.noAdmin;
      }
    });
    replace(this.main,
      h('p', {}, h('a', { href: '#/dead-letters' }, '← Dead letters')),
      h('h1', {}, 'Dead letters of ', h('code', { id: 'dlq-name' }, original)),
      h('section', { class: 'card', 'aria-labelledby': 'h-letters' }, h('h2', { id: 'h-letters' }, dlq), this.browser.el),
      h('section', { class: 'card', 'aria-labelledby': 'h-redrive' }, h('h2', { id: 'h-redrive' }, 'Redrive'), form));
    this.load(group, button, reason);
  }

  async load(group, button, reason) {
    let first = 0;
    try {
      first = (await api.stats(this.topic)).firstOffset;
    } catch { /* the browser says what is wrong */ }
    // Oldest first: dead letters are handed back oldest first.
    this.browser.from.value = first;
    const letters = await this.browser.load();
    const groups = new Set(letters.map(m => (m.headers || {})['x-group']).filter(Boolean));
    try {
      const s = await api.stats(this.topic.replace(/^dlq\./, ''));
      for (const g of s.groups) groups.add(g.group);
    } catch { /* groups of the letters shown are enough */ }
    replace(group, [...groups].sort().map(g => h('option', { value: g }, g)));
    button.disabled = groups.size === 0;
    if (groups.size === 0) replace(reason, 'No group to redrive to.');
    const admin = await access.admin();
    if (!admin.allowed) {
      this.noAdmin = true;
      disable(button, reason, admin.reason);
    }
  }
}
