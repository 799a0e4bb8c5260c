// main.js: the console's start. It finds out whether the broker needs a token, asks for one when
// it does, and shows the page the address names: #/ (overview), #/topics/{topic},
// #/dead-letters and #/dead-letters/{dlq topic}.
import { api, ApiError } from './api.js';
import { session } from './session.js';
import { access } from './access.js';
import { h, replace, field } from './dom.js';
import { Overview } from './overview.js';
import { TopicPage } from './topic.js';
import { DeadLetters } from './dead-letters.js';

const main = document.getElementById('main');
const who = document.getElementById('who');
let page = null;
let authOn = false;

function route() {
  if (page) page.stop();
  page = null;
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [first, ...rest] = hash.split('/');
  const name = rest.join('/');
  let current = 'overview';
  if (first === 'topics' && name) {
    page = new TopicPage(main, name);
    current = '';
  } else if (first === 'dead-letters') {
    page = new DeadLetters(main, name);
    current = 'dead-letters';
  } else {
    page = new Overview(main);
  }
  for (const a of document.querySelectorAll('.bar nav a')) {
    if (a.dataset.page === current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  page.start();
}

function showWho() {
  if (!authOn) {
    replace(who, h('span', { class: 'badge' }, 'authentication off'));
    return;
  }
  replace(who, h('span', {}, 'Signed in with a token'),
    h('button', { type: 'button', class: 'secondary', onclick: () => signOut('You forgot the token.') }, 'Forget token'));
}

function signOut(message) {
  session.token = '';
  access.forget();
  if (page) page.stop();
  page = null;
  login(message);
}

/** login asks for a token, checks it with GET /topics, and keeps it for this tab's session. */
function login(message, isError) {
  replace(who);
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true,
    class: 'token', spellcheck: 'false' });
  const status = h('p', { class: isError ? 'status error' : 'status', id: 'login-status', role: 'alert' }, message || '');
  const form = h('form', { class: 'stack card', id: 'login' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Authentication is on: the console needs a token (docs/security.md). It is kept for this tab only '
      + 'and sent as a Bearer header, and as ?token= to /ws.'),
    field('Token', input),
    h('div', {}, h('button', { type: 'submit' }, 'Use this token')),
    status);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const token = input.value.trim();
    replace(status, 'Checking…');
    status.className = 'status';
    try {
      await api.topics(token);
      session.token = token;
      access.forget();
      showWho();
      route();
    } catch (e) {
      status.className = 'status error';
      replace(status, e.status === 401 ? 'The broker refused this token: ' + e.detail : 'Could not check the token: ' + e.message);
      input.select();
    }
  });
  replace(main, h('section', { class: 'card' }, form));
  input.focus();
}

window.addEventListener('hashchange', () => {
  if (!authOn || session.token) {
    route();
    main.focus();
  }
});
// A token revoked while the console is open: ask again.
window.addEventListener('console:unauthorized', event => signOut('The broker refused the token: ' + event.detail));

async function boot() {
  try {
    await api.topics('');
    authOn = false;
    session.token = '';
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      replace(main, h('p', { class: 'error', role: 'alert' }, 'The broker did not answer the console: ' + e.message));
      return;
    }
    authOn = true;
    if (!session.token) {
      login();
      return;
    }
    try {
      await api.topics();
    } catch (again) {
      session.token = '';
      login('The broker refused the token of this session: ' + again.detail, true);
      return;
    }
  }
  showWho();
  route();
}

boot();
