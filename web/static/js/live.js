// Live pushes over a WebSocket: connect with the bearer token in the
// subprotocol, keep the wanted topics subscribed, and reconnect with
// exponential backoff when the socket closes.

import { t, token } from './common.js';

const maxDelay = 30000;

/** wsURL returns the ws: or wss: URL of path on this page's host. */
export function wsURL(path) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
}

/**
 * Live keeps one WebSocket to /api/v1/live open. onReady runs after every
 * (re)connection's "ready" message, when the page is to load its snapshot
 * over REST; onMessage gets every other message; the status element shows
 * the connection's state.
 */
export class Live {
  constructor({ topics, onReady, onMessage, statusEl }) {
    this.topics = new Set(topics);
    this.onReady = onReady;
    this.onMessage = onMessage;
    this.statusEl = statusEl;
    this.attempt = 0;
    this.ws = null;
    this.timer = 0;
  }

  /** start opens the connection. */
  start() {
    this.connect();
  }

  /** setTopics subscribes to topics and unsubscribes from the others. */
  setTopics(topics) {
    const next = new Set(topics);
    const open = this.ws && this.ws.readyState === WebSocket.OPEN;
    for (const topic of this.topics) {
      if (!next.has(topic) && open) this.ws.send(JSON.stringify({ unsubscribe: topic }));
    }
    for (const topic of next) {
      if (!this.topics.has(topic) && open) this.ws.send(JSON.stringify({ subscribe: topic }));
    }
    this.topics = next;
  }

  status(state, text) {
    this.statusEl.dataset.state = state;
    this.statusEl.textContent = text;
  }

  connect() {
    this.status('connecting', t('live.connecting'));
    const query = [...this.topics].map((topic) => 'topic=' + encodeURIComponent(topic)).join('&');
    let ws;
    try {
      ws = new WebSocket(wsURL('/api/v1/live?' + query), ['empulse.v1', 'bearer.' + token()]);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.addEventListener('message', (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === 'ready') {
        this.attempt = 0;
        this.status('on', t('live.on'));
        this.onReady();
      } else if (msg.type === 'error') {
        console.warn('empulse live:', msg.field ? msg.field + ': ' + msg.message : msg.message);
      } else {
        this.onMessage(msg);
      }
    });
    ws.addEventListener('close', () => {
      if (this.ws === ws) this.retry();
    });
  }

  retry() {
    this.ws = null;
    const delay = Math.min(maxDelay, 1000 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.status('off', t('live.off', { seconds: Math.ceil(delay / 1000) }));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
