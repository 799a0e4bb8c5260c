// tail.js: a live tail of a topic over /ws: a broadcast subscription from now on, which leases
// nothing and moves no group. The token goes as ?token= because browsers cannot set headers on
// a WebSocket (docs/security.md).
import { api } from './api.js';

/** Tail is one WebSocket subscription; onMessage gets each message frame, onState a line of status. */
export class Tail {
  constructor(topic, onMessage, onState) {
    this.topic = topic;
    this.onMessage = onMessage;
    this.onState = onState;
    this.ws = null;
  }

  start() {
    this.stop();
    const ws = new WebSocket(api.wsUrl());
    this.ws = ws;
    this.onState('connecting', 'Connecting…');
    ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', topic: this.topic }));
    ws.onmessage = event => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.type === 'subscribed') this.onState('live', 'Live: new messages appear below.');
      else if (frame.type === 'message') this.onMessage(frame);
      else if (frame.type === 'error') this.onState('error', `The broker refused the tail: ${frame.message} (${frame.code})`);
      else if (frame.type === 'topic-deleted') this.onState('closed', 'The topic was deleted.');
    };
    ws.onclose = event => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onState('closed', event.code === 1000 || event.code === 1005 ? 'Stopped.'
        : `Closed by the broker (${event.code}${event.reason ? ': ' + event.reason : ''}).`);
    };
    ws.onerror = () => this.onState('error', 'The WebSocket failed (a refused token closes it at once).');
  }

  get running() {
    return this.ws !== null;
  }

  stop() {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.close(1000);
      this.onState('closed', 'Stopped.');
    }
  }
}
