// metrics.js: the figures the console takes from /metrics because no other request gives them
// (open connections per transport). /metrics needs the metrics plugin and, with authentication
// on, an admin token or METRICS_PUBLIC=true; without them the console says why it shows none.
import { api, ApiError } from './api.js';

/** connections resolves to {transport: count} from message_broker_active_connections. */
export async function connections() {
  const res = await api.metrics();
  if (!res.ok) {
    const reason = res.status === 404 ? 'the metrics plugin is not installed'
      : res.status === 403 ? '/metrics needs an admin token (or METRICS_PUBLIC=true)'
      : '/metrics answered ' + res.status;
    throw new ApiError(res.status, '', reason);
  }
  const text = await res.text();
  const out = {};
  const line = /^message_broker_active_connections\{[^}]*transport="([^"]*)"[^}]*\}\s+([0-9.eE+-]+)/gm;
  for (const m of text.matchAll(line)) out[m[1]] = Number(m[2]);
  return out;
}
