// messages.js: a page of messages read without leasing (GET /topics/{topic}/messages), with
// paging by offset. The columns are the caller's, so the dead-letter page can lay out provenance.
import { api } from './api.js';
import { h, replace, field } from './dom.js';

/** Browser shows messages of a topic from an offset; columns are [{label, cell(message), num?}]. */
export class Browser {
  constructor(topic, id, columns) {
    this.topic = topic;
    this.columns = columns;
    this.from = h('input', { id: id + '-from', type: 'number', min: 0, step: 1, value: 0, inputmode: 'numeric' });
    this.limit = h('select', { id: id + '-limit' }, [10, 20, 50, 100].map(n => h('option', { value: n, selected: n === 20 }, n)));
    this.status = h('p', { class: 'status', role: 'status' });
    this.body = h('tbody');
    this.older = h('button', { type: 'button', class: 'secondary', onclick: () => this.page(-1) }, 'Older');
    this.newer = h('button', { type: 'button', class: 'secondary', onclick: () => this.page(1) }, 'Newer');
    const form = h('form', { class: 'row', onsubmit: e => { e.preventDefault(); this.load(); } },
      field('From offset', this.from), field('How many', this.limit),
      h('div', {}, h('button', { type: 'submit' }, 'Show')), h('div', {}, this.older), h('div', {}, this.newer));
    this.table = h('table', { id },
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.num ? 'num' : '' }, c.label)))),
      this.body);
    this.el = h('div', {}, form, this.status, h('div', { class: 'scroll' }, this.table));
  }

  /** showNewest sets the offset so that the page ends at the newest message, then loads it. */
  showNewest(firstOffset, lastOffset) {
    const n = Number(this.limit.value);
    this.from.value = Math.max(firstOffset, lastOffset - n + 1, 0);
    return this.load();
  }

  page(direction) {
    const n = Number(this.limit.value);
    this.from.value = Math.max(0, Number(this.from.value || 0) + direction * n);
    this.load();
  }

  async load() {
    const from = Math.max(0, Math.floor(Number(this.from.value || 0)));
    const n = Number(this.limit.value);
    replace(this.status, 'Reading…');
    try {
      const messages = await api.browse(this.topic, from, n);
      replace(this.body, messages.map(m => h('tr', { dataset: { offset: m.offset } },
        this.columns.map(c => h('td', { class: c.num ? 'num' : '' }, c.cell(m))))));
      replace(this.status, messages.length === 0 ? `No message at offset ${from} or after.`
        : `Offsets ${messages[0].offset} to ${messages[messages.length - 1].offset} (${messages.length}), read without leasing.`);
      this.messages = messages;
      return messages;
    } catch (e) {
      replace(this.body);
      replace(this.status, h('span', { class: 'error' }, 'Could not read the messages: ' + e.detail));
      this.messages = [];
      return [];
    }
  }
}
