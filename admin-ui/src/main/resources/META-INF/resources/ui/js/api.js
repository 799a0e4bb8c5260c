// api.js: the broker's HTTP API as the console uses it. Every request goes to the page's own
// origin, with the session's token as a Bearer header when there is one. Errors are the API's
// problem details (RFC 9457), thrown as ApiError.
import { session } from './session.js';

/** ApiError is a request the broker refused: its status, the problem's stable code, and its detail. */
export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || ('HTTP ' + status));
    this.status = status;
    this.code = code;
    this.detail = detail || ('HTTP ' + status);
  }
}

const root = new URL('../', location.href.replace(/#.*$/, '')).pathname;
const topicPath = t => encodeURIComponent(t);

async function request(method, path, { body, headers = {}, token = session.token, raw = false, quiet = false } = {}) {
  // No Accept header of our own: fetch's default */* gets JSON from every request (docs/console.md).
  const h = { ...headers };
  if (token) h.Authorization = 'Bearer ' + token;
  let payload = body;
  if (body !== undefined && typeof body !== 'string') {
    payload = JSON.stringify(body);
  }
  if (payload !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(root + path, { method, headers: h, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'the broker did not answer: ' + e.message);
  }
  if (res.status === 401 && token && !quiet) {
    // The session's token stopped working (revoked, expired): the console asks for another.
    window.dispatchEvent(new CustomEvent('console:unauthorized', { detail: 'HTTP 401' }));
  }
  if (raw) return res;
  const text = await res.text();
  if (!res.ok) {
    let code = '', detail = text;
    try {
      const p = JSON.parse(text);
      code = String(p.type || '').split(':').pop();
      detail = p.detail || p.title || text;
    } catch { /* not a problem document */ }
    throw new ApiError(res.status, code, detail || res.statusText);
  }
  return text ? JSON.parse(text) : null;
}

export const api = {
  root,
  health: () => request('GET', 'health', { raw: true }).then(async r => r.json()),
  topics: (token) => request('GET', 'topics', token === undefined ? {} : { token, quiet: true }),
  stats: t => request('GET', `topics/${topicPath(t)}/stats`),
  browse: (t, from, limit) => request('GET', `topics/${topicPath(t)}/messages?from=${from}&limit=${limit}`),
  publish: (t, data, headers) => {
    const h = {};
    for (const [k, v] of Object.entries(headers)) h['X-Msg-' + k] = v;
    return request('POST', `publish/${topicPath(t)}`, { body: data, headers: h });
  },
  remove: t => request('DELETE', `topics/${topicPath(t)}`),
  redrive: (t, group) => request('POST', `topics/${topicPath(t)}/dlq/redrive?group=${encodeURIComponent(group)}`),
  metrics: () => request('GET', 'metrics', { raw: true }),
  raw: (method, path, opts) => request(method, path, { ...opts, raw: true }),
  /** wsUrl is the address of /ws on this origin, with the token as ?token= (browsers cannot set headers there). */
  wsUrl: () => {
    const u = new URL(root + 'ws', location.href);
    u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (session.token) u.searchParams.set('token', session.token);
    return u.toString();
  },
};
