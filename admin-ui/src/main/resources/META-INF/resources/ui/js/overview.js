// overview.js: the broker at a glance, refreshed every REFRESH_MS: store health, connections,
// topics with live publish and consume rates, groups with their lag, and dead-letter topics.
// Rows are updated in place, so keyboard focus stays where it is across refreshes.
import { api } from './api.js';
import { connections } from './metrics.js';
import { Rates } from './rates.js';
import { RateChart } from './rate-chart.js';
import { h, replace, num, bytes, age, rate } from './dom.js';

const REFRESH_MS = 2000;
/** MAX_TOPICS is how many topics the overview reads statistics of on each refresh (one request each). */
const MAX_TOPICS = 100;
const topicHref = t => '#/topics/' + encodeURIComponent(t);
const dlqHref = t => '#/dead-letters/' + encodeURIComponent(t);

/** Table is a table whose rows are kept by key and updated in place. */
class Table {
  constructor(id, columns, emptyText) {
    this.rows = new Map();
    this.body = h('tbody');
    this.empty = h('p', { class: 'muted' }, emptyText);
    this.table = h('table', { id },
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.num ? 'num' : '' }, c.label)))),
      this.body);
    this.el = h('div', {}, h('div', { class: 'scroll' }, this.table), this.empty);
  }

  /** update shows one row per item, in order; make(key) builds a row's cells, fill(cells, item) fills them. */
  update(items, keyOf, make, fill) {
    const keep = new Set();
    for (const item of items) {
      const key = keyOf(item);
      keep.add(key);
      let row = this.rows.get(key);
      if (!row) {
        row = make(key);
        this.rows.set(key, row);
      }
      fill(row.cells, item);
      this.body.append(row.tr);
    }
    for (const [key, row] of this.rows) {
      if (!keep.has(key)) {
        row.tr.remove();
        this.rows.delete(key);
      }
    }
    this.table.hidden = items.length === 0;
    this.empty.hidden = items.length !== 0;
  }
}

function cellsRow(key, names, classes = {}) {
  const cells = {};
  const tr = h('tr', { dataset: { key } });
  for (const n of names) {
    cells[n] = h(n === 'name' ? 'th' : 'td', { class: classes[n] || '', scope: n === 'name' ? 'row' : null });
    tr.append(cells[n]);
  }
  return { tr, cells };
}

export class Overview {
  constructor(main) {
    this.main = main;
    this.rates = new Rates();
    this.charts = new Map();
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.health = h('dl', { class: 'facts', id: 'health' });
    this.connections = h('dl', { class: 'facts', id: 'connections' });
    this.updated = h('p', { class: 'hint', id: 'updated' }, 'Reading the broker…');
    this.error = h('p', { class: 'error', role: 'alert' });
    this.topics = new Table('topics', [
      { label: 'Topic' }, { label: 'Messages', num: true }, { label: 'Bytes', num: true }, { label: 'Offsets', num: true },
      { label: 'Publish rate' }, { label: 'Consume rate' }, { label: 'Oldest', num: true }, { label: 'Subscribers', num: true },
    ], 'No topics yet: publish a message to make one.');
    this.groups = new Table('groups', [
      { label: 'Topic' }, { label: 'Group' }, { label: 'Lag', num: true }, { label: 'In flight', num: true },
      { label: 'Oldest unacked', num: true }, { label: 'Delivered', num: true }, { label: 'Redelivered', num: true },
      { label: 'Dead-lettered', num: true },
    ], 'No consumer groups yet.');
    this.dead = new Table('dead-letter-topics', [
      { label: 'Dead-letter topic' }, { label: 'Of topic' }, { label: 'Dead letters', num: true },
    ], 'No dead letters.');
    replace(this.main,
      h('h1', {}, 'Overview'),
      this.error,
      h('div', { class: 'grid2' },
        h('section', { class: 'card', 'aria-labelledby': 'h-broker' }, h('h2', { id: 'h-broker' }, 'Broker and store'), this.health),
        h('section', { class: 'card', 'aria-labelledby': 'h-conn' }, h('h2', { id: 'h-conn' }, 'Connections'), this.connections)),
      h('section', { class: 'card', 'aria-labelledby': 'h-topics' }, h('h2', { id: 'h-topics' }, 'Topics'), this.topics.el),
      h('section', { class: 'card', 'aria-labelledby': 'h-groups' }, h('h2', { id: 'h-groups' }, 'Consumer groups'), this.groups.el),
      h('section', { class: 'card', 'aria-labelledby': 'h-dead' }, h('h2', { id: 'h-dead' }, 'Dead letters'), this.dead.el),
      this.updated);
    this.refresh();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async refresh() {
    try {
      await this.read();
      replace(this.error);
    } catch (e) {
      replace(this.error, 'Could not read the broker: ' + e.message);
    }
    if (!this.stopped) this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  async read() {
    const [health, topics, conns] = await Promise.allSettled([api.health(), api.topics(), connections()]);
    if (this.stopped) return;
    this.showHealth(health);
    this.showConnections(conns);
    if (topics.status === 'rejected') throw topics.reason;
    const list = topics.value.slice(0, MAX_TOPICS);
    const stats = await Promise.allSettled(list.map(t => api.stats(t.name)));
    if (this.stopped) return;
    const now = Date.now();
    const rows = list.map((t, i) => ({ topic: t, stats: stats[i].status === 'fulfilled' ? stats[i].value : null,
      reason: stats[i].status === 'rejected' ? stats[i].reason.detail : '' }));
    const plain = rows.filter(r => !r.topic.name.startsWith('dlq.'));
    const keep = new Set();
    for (const r of plain) {
      if (!r.stats) continue;
      keep.add('p ' + r.topic.name);
      keep.add('c ' + r.topic.name);
      r.published = this.rates.add('p ' + r.topic.name, now, r.stats.published);
      r.consumed = this.rates.add('c ' + r.topic.name, now, r.stats.consumed);
    }
    this.rates.retain(keep);
    this.topics.update(plain, r => r.topic.name, key => this.topicRow(key), (c, r) => this.fillTopic(c, r));
    const groups = plain.flatMap(r => (r.stats ? r.stats.groups : []).map(g => ({ topic: r.topic.name, ...g })));
    this.groups.update(groups, g => g.topic + ' ' + g.group, key => cellsRow(key,
      ['topic', 'group', 'lag', 'inFlight', 'oldest', 'delivered', 'redelivered', 'dead'],
      { lag: 'num', inFlight: 'num', oldest: 'num', delivered: 'num', redelivered: 'num', dead: 'num' }), (c, g) => {
      replace(c.topic, h('a', { href: topicHref(g.topic) }, g.topic));
      replace(c.group, g.group);
      replace(c.lag, num(g.lag));
      replace(c.inFlight, num(g.inFlight));
      replace(c.oldest, age(g.oldestUnackedAgeMs));
      replace(c.delivered, num(g.delivered));
      replace(c.redelivered, num(g.redelivered));
      replace(c.dead, num(g.deadLettered));
    });
    const dead = rows.filter(r => r.topic.name.startsWith('dlq.'));
    this.dead.update(dead, r => r.topic.name, key => cellsRow(key, ['name', 'of', 'count'], { count: 'num' }), (c, r) => {
      replace(c.name, h('a', { href: dlqHref(r.topic.name) }, r.topic.name));
      const of = r.topic.name.slice(4);
      replace(c.of, h('a', { href: topicHref(of) }, of));
      replace(c.count, num(r.topic.messages));
    });
    replace(this.updated, 'Updated ' + new Date(now).toLocaleTimeString() + '; refreshes every ' + REFRESH_MS / 1000 + ' s.');
  }

  topicRow(key) {
    const row = cellsRow(key, ['name', 'messages', 'bytes', 'offsets', 'publish', 'consume', 'oldest', 'subscribers'],
      { messages: 'num', bytes: 'num', offsets: 'num', publish: 'rate', consume: 'rate', oldest: 'num', subscribers: 'num' });
    row.pChart = new RateChart('publish rate of ' + key, '#1f5fbf');
    row.cChart = new RateChart('consume rate of ' + key, '#1b7a3a');
    row.pText = h('span');
    row.cText = h('span');
    row.cells.publish.append(row.pChart.el, row.pText);
    row.cells.consume.append(row.cChart.el, row.cText);
    row.cells.row = row;
    return row;
  }

  fillTopic(c, r) {
    const row = c.row;
    replace(c.name, h('a', { href: topicHref(r.topic.name) }, r.topic.name));
    replace(c.messages, num(r.topic.messages));
    replace(c.offsets, r.topic.lastOffset < 0 ? '–' : num(r.topic.firstOffset) + '–' + num(r.topic.lastOffset));
    if (!r.stats) {
      replace(c.bytes, '–');
      replace(c.oldest, '–');
      replace(c.subscribers, '–');
      replace(row.pText, h('span', { class: 'reason' }, r.reason));
      return;
    }
    replace(c.bytes, bytes(r.stats.bytes));
    replace(c.oldest, age(r.stats.oldestMessageAgeMs));
    replace(c.subscribers, num(r.stats.liveSubscribers));
    row.pChart.update(r.published);
    row.cChart.update(r.consumed);
    replace(row.pText, rate(r.published.last));
    replace(row.cText, rate(r.consumed.last));
  }

  showHealth(result) {
    if (result.status === 'rejected') {
      replace(this.health, h('div', {}, h('dt', {}, 'Health'), h('dd', { class: 'error' }, result.reason.message)));
      return;
    }
    const v = result.value;
    const up = v.status === 'UP';
    const store = v.store || {};
    const fact = (label, ...value) => h('div', {}, h('dt', {}, label), h('dd', {}, ...value));
    replace(this.health,
      fact('Status', h('span', { class: 'badge ' + (up ? 'up' : 'down'), id: 'health-status' }, v.status)),
      fact('Store', (store.name || '?') + (store.durable ? ' (durable)' : ' (memory: nothing survives a restart)')),
      store.problem ? fact('Store problem', h('span', { class: 'error' }, store.problem)) : null,
      fact('Uptime', age((v.uptimeSeconds || 0) * 1000)),
      fact('Version', v.version || '?'));
  }

  showConnections(result) {
    if (result.status === 'rejected') {
      replace(this.connections, h('div', {}, h('dt', {}, 'Not shown'), h('dd', { class: 'reason' }, result.reason.detail)));
      return;
    }
    const entries = Object.entries(result.value);
    replace(this.connections, entries.length === 0 ? h('div', {}, h('dt', {}, 'Open'), h('dd', {}, '0'))
      : entries.map(([transport, n]) => h('div', {}, h('dt', {}, transport), h('dd', {}, num(n)))));
  }
}
