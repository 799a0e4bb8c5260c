// access.js: what the session's token may do, so that the console can disable what it may not and
// say why. The API has no "who am I" request (docs/console.md), so each right is learnt from a
// request that changes nothing: the broker checks rights before anything else and answers 403
// when one is missing, or a harmless error when it is not.
import { api, ApiError } from './api.js';

/** Right is an answer: allowed, or not with the broker's reason. */
const allowed = { allowed: true, reason: '' };
const refused = e => ({ allowed: false, reason: e.detail });

const cache = new Map();

async function probe(key, attempt) {
  if (!cache.has(key)) {
    cache.set(key, attempt().then(() => allowed, e => {
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return refused(e);
      return allowed;
    }));
  }
  return cache.get(key);
}

/** PROBE_TOPIC is a topic name that the admin probe names; the probe creates nothing. */
const PROBE_TOPIC = 'console-rights-probe';

export const access = {
  /** forget drops what was learnt, when the token changes. */
  forget: () => cache.clear(),

  /** admin: redrive without a group is refused (400) after the admin check, so 403 means no admin. */
  admin: () => probe('admin', () => api.raw('POST', `topics/${PROBE_TOPIC}/dlq/redrive`).then(throwIfForbidden)),

  /** publish: a body that is not JSON is refused (415) after the publish check. */
  publish: topic => probe('publish ' + topic, () => api.raw('POST', `publish/${encodeURIComponent(topic)}`,
    { body: '-', headers: { 'Content-Type': 'text/plain' } }).then(throwIfForbidden)),

  /** consume: browsing one message reads without leasing and changes nothing. */
  consume: topic => probe('consume ' + topic, () => api.raw('GET',
    `topics/${encodeURIComponent(topic)}/messages?from=0&limit=1`).then(throwIfForbidden)),
};

async function throwIfForbidden(res) {
  if (res.status === 401 || res.status === 403) {
    let detail = 'HTTP ' + res.status;
    try { detail = (await res.json()).detail || detail; } catch { /* no body */ }
    throw new ApiError(res.status, res.status === 403 ? 'forbidden' : 'unauthorized', detail);
  }
  return res;
}
