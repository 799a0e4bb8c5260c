// topic.js: one topic: its figures and groups, its messages from an offset, a publish form with a
// JSON editor that validates as you type, a live tail over /ws, and deletion after a confirmation.
import { api } from './api.js';
import { access } from './access.js';
import { Browser } from './messages.js';
import { Tail } from './tail.js';
import { h, replace, num, bytes, age, json, confirm, field } from './dom.js';

const HEADER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const TAIL_KEEP = 50;

/** disable turns a control off and says why next to it. */
export function disable(control, reasonEl, reason) {
  control.disabled = true;
  replace(reasonEl, reason);
}

/** where tells, from a JSON.parse error, the line and column of the mistake when the engine says its position. */
function where(text, error) {
  const m = /position (\d+)/.exec(error.message);
  if (!m) return error.message;
  const at = Number(m[1]);
  const before = text.slice(0, at).split('\n');
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

export class TopicPage {
  constructor(main, topic) {
    this.main = main;
    this.topic = topic;
    this.tail = null;
  }

  start() {
    const t = this.topic;
    const dlq = t.startsWith('dlq.');
    this.facts = h('dl', { class: 'facts', id: 'topic-facts' });
    this.groups = h('div', { class: 'scroll' });
    this.browser = new Browser(t, 'messages', [
      { label: 'Offset', num: true, cell: m => String(m.offset) },
      { label: 'Time', cell: m => m.timestamp },
      { label: 'Headers', cell: m => Object.keys(m.headers || {}).length ? h('pre', {}, json(m.headers)) : '–' },
      { label: 'Data', cell: m => h('pre', {}, json(m.data)) },
      { label: 'Id', cell: m => h('code', {}, m.id) },
    ]);
    replace(this.main,
      h('p', {}, h('a', { href: '#/' }, '← Overview')),
      h('h1', {}, 'Topic ', h('code', { id: 'topic-name' }, t)),
      dlq ? h('p', {}, 'A dead-letter topic: ', h('a', { href: '#/dead-letters/' + encodeURIComponent(t) },
        'see its dead letters with their provenance and redrive them')) : null,
      h('section', { class: 'card', 'aria-labelledby': 'h-figures' }, h('h2', { id: 'h-figures' }, 'Figures'), this.facts, this.groups),
      h('section', { class: 'card', 'aria-labelledby': 'h-messages' }, h('h2', { id: 'h-messages' }, 'Messages'), this.browser.el),
      h('div', { class: 'grid2' },
        h('section', { class: 'card', 'aria-labelledby': 'h-publish' }, h('h2', { id: 'h-publish' }, 'Publish'), this.publishForm(dlq)),
        h('section', { class: 'card', 'aria-labelledby': 'h-tail' }, h('h2', { id: 'h-tail' }, 'Live tail'), this.tailPanel())),
      h('section', { class: 'card', 'aria-labelledby': 'h-delete' }, h('h2', { id: 'h-delete' }, 'Delete'), this.deletePanel()));
    this.loadFigures(true);
  }

  stop() {
    if (this.tail) this.tail.stop();
  }

  async loadFigures(first) {
    try {
      const s = await api.stats(this.topic);
      const fact = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
      replace(this.facts,
        fact('Messages', num(s.messages)), fact('Bytes', bytes(s.bytes)),
        fact('Offsets', s.lastOffset < 0 ? '–' : `${num(s.firstOffset)}–${num(s.lastOffset)}`),
        fact('Published', num(s.published)), fact('Consumed', num(s.consumed)),
        fact('Oldest', age(s.oldestMessageAgeMs)), fact('Subscribers', num(s.liveSubscribers)),
        fact('Dropped', num(s.dropped)), fact('Expired', num(s.expired)));
      replace(this.groups, s.groups.length === 0 ? h('p', { class: 'muted' }, 'No consumer groups.') : h('table', { id: 'topic-groups' },
        h('thead', {}, h('tr', {}, ['Group', 'Lag', 'In flight', 'Oldest unacked', 'Redelivered', 'Dead-lettered']
          .map((l, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, l)))),
        h('tbody', {}, s.groups.map(g => h('tr', {}, h('th', { scope: 'row' }, g.group), h('td', { class: 'num' }, num(g.lag)),
          h('td', { class: 'num' }, num(g.inFlight)), h('td', { class: 'num' }, age(g.oldestUnackedAgeMs)),
          h('td', { class: 'num' }, num(g.redelivered)), h('td', { class: 'num' }, num(g.deadLettered)))))));
      if (first) await this.browser.showNewest(s.firstOffset, s.lastOffset);
    } catch (e) {
      replace(this.facts, h('p', { class: e.status === 404 ? 'muted' : 'error' },
        e.status === 404 ? 'This topic does not exist (yet): publishing makes it.' : 'Could not read the topic: ' + e.detail));
      if (first && e.status !== 404) await this.browser.load();
    }
  }

  publishForm(dlq) {
    const data = h('textarea', { id: 'publish-data', name: 'data', rows: 6, spellcheck: 'false',
      'aria-describedby': 'publish-validity' }, '{\n  "hello": "world"\n}');
    const validity = h('p', { id: 'publish-validity', class: 'status', 'aria-live': 'polite' });
    const headers = h('div', { class: 'headers', id: 'publish-headers' });
    const result = h('p', { id: 'publish-result', class: 'status', role: 'status' });
    const submit = h('button', { type: 'submit', id: 'publish-submit' }, 'Publish');
    const reason = h('p', { class: 'reason', id: 'publish-reason' });
    let rows = 0;
    const addHeader = () => {
      const n = ++rows;
      const name = h('input', { id: `header-name-${n}`, 'aria-label': `Header ${n} name`, placeholder: 'name', class: 'header-name' });
      const value = h('input', { id: `header-value-${n}`, 'aria-label': `Header ${n} value`, placeholder: 'value', class: 'header-value' });
      const row = h('div', { class: 'row' }, name, value,
        h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove header ${n}`, onclick: () => { row.remove(); check(); } }, 'Remove'));
      name.addEventListener('input', check);
      headers.append(row);
      name.focus();
    };
    const readHeaders = () => {
      const out = {};
      for (const row of headers.children) {
        const name = row.querySelector('.header-name').value.trim();
        const value = row.querySelector('.header-value').value;
        if (name) out[name] = value;
      }
      return out;
    };
    let allowed = !dlq;
    const check = () => {
      let ok = true;
      try {
        JSON.parse(data.value);
        data.setAttribute('aria-invalid', 'false');
        validity.className = 'status okay';
        replace(validity, 'Valid JSON.');
      } catch (e) {
        ok = false;
        data.setAttribute('aria-invalid', 'true');
        validity.className = 'status error';
        replace(validity, 'Not valid JSON: ' + where(data.value, e));
      }
      const bad = Object.keys(readHeaders()).find(n => !HEADER_NAME.test(n));
      if (bad !== undefined) {
        ok = false;
        validity.className = 'status error';
        replace(validity, `Header name '${bad}' may hold only letters, digits, - and _.`);
      }
      submit.disabled = !ok || !allowed;
      return ok;
    };
    data.addEventListener('input', check);
    const form = h('form', { class: 'stack', id: 'publish' },
      field('Data (any JSON value)', data), validity,
      h('div', {}, h('span', { class: 'hint' }, 'Headers (sent as X-Msg-{name}; the broker lowercases names)'), headers,
        h('button', { type: 'button', class: 'secondary', id: 'add-header', onclick: addHeader }, 'Add header')),
      h('div', {}, submit), reason, result);
    form.addEventListener('submit', async event => {
      event.preventDefault();
      if (!check()) return;
      submit.disabled = true;
      replace(result, 'Publishing…');
      result.className = 'status';
      try {
        const r = await api.publish(this.topic, data.value, readHeaders());
        result.className = 'status okay';
        replace(result, `Published at offset ${r.offset} (id ${r.id}).`);
        await this.loadFigures(false);
        await this.browser.showNewest(0, r.offset);
      } catch (e) {
        result.className = 'status error';
        replace(result, `Refused (${e.status} ${e.code}): ${e.detail}`);
      } finally {
        check();
      }
    });
    check();
    if (dlq) {
      disable(submit, reason, 'Only the broker writes dead-letter topics.');
    } else {
      access.publish(this.topic).then(r => {
        if (!r.allowed) {
          allowed = false;
          disable(submit, reason, r.reason);
        }
      });
    }
    return form;
  }

  tailPanel() {
    const list = h('ol', { class: 'tail', id: 'tail', reversed: true, 'aria-label': 'Messages as they arrive, newest first' });
    const state = h('p', { class: 'status', id: 'tail-state', role: 'status' }, 'Not running.');
    const button = h('button', { type: 'button', id: 'tail-toggle' }, 'Start live tail');
    const reason = h('p', { class: 'reason' });
    this.tail = new Tail(this.topic, frame => {
      list.prepend(h('li', {}, h('span', { class: 'hint' }, `offset ${frame.offset} · ${frame.timestamp}`),
        h('pre', {}, json(frame.data))));
      while (list.children.length > TAIL_KEEP) list.lastElementChild.remove();
    }, (kind, text) => {
      state.className = 'status' + (kind === 'error' ? ' error' : kind === 'live' ? ' okay' : '');
      replace(state, text);
      button.textContent = kind === 'closed' ? 'Start live tail' : 'Stop live tail';
      if (kind === 'error' || kind === 'closed') button.textContent = this.tail && this.tail.running ? 'Stop live tail' : 'Start live tail';
    });
    button.addEventListener('click', () => (this.tail.running ? this.tail.stop() : this.tail.start()));
    access.consume(this.topic).then(r => {
      if (!r.allowed) disable(button, reason, r.reason);
    });
    return h('div', {}, h('p', { class: 'hint' }, 'A broadcast subscription over /ws from now on: it leases nothing and moves no group.'),
      h('div', {}, button), reason, state, list);
  }

  deletePanel() {
    const button = h('button', { type: 'button', class: 'danger', id: 'delete-topic' }, 'Delete topic');
    const reason = h('p', { class: 'reason', id: 'delete-reason' });
    const result = h('p', { class: 'status', role: 'status' });
    button.addEventListener('click', async () => {
      const yes = await confirm(`Delete ${this.topic}?`, 'Its messages and consumer groups are removed for good; '
        + 'live subscribers are told the topic was deleted.', 'Delete');
      if (!yes) {
        button.focus();
        return;
      }
      try {
        await api.remove(this.topic);
        if (this.tail) this.tail.stop();
        replace(this.main, h('h1', {}, 'Topic deleted'), h('p', { role: 'status' }, `${this.topic} was deleted.`),
          h('p', {}, h('a', { href: '#/' }, 'Back to the overview')));
        this.main.focus();
      } catch (e) {
        result.className = 'status error';
        replace(result, `Refused (${e.status} ${e.code}): ${e.detail}`);
      }
    });
    access.admin().then(r => {
      if (!r.allowed) disable(button, reason, 'Deleting a topic needs an admin token: ' + r.reason);
    });
    return h('div', {}, h('p', { class: 'hint' }, 'Removes the topic with its messages and groups.'), button, reason, result);
  }
}
