// The live tail: `/stream` (Server-Sent Events of newly archived messages matching the filter).
/* global document, EventSource */

/** Messages kept on screen. */
export const TAIL_LENGTH = 100;

const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/**
 * Follows `/stream?<filter>`, newest message first. EventSource reconnects by itself and sends
 * `Last-Event-ID`, so a dropped connection misses nothing; the status pill says when it is down.
 */
export class LiveTail {
  constructor({ list, status, counter, empty, pause }) {
    Object.assign(this, { list, status, counter, empty, pause });
    this.source = undefined;
    this.received = 0;
    this.held = [];
    pause.addEventListener('change', () => {
      if (pause.checked) return this.setStatus('paused', '');
      for (const message of this.held.splice(0)) this.show(message);
      this.setStatus(this.source?.readyState === EventSource.OPEN ? 'live' : 'connecting', this.source?.readyState === EventSource.OPEN ? 'live' : '');
    });
  }

  /** (Re)starts the tail for `filter` (URLSearchParams); the list is cleared. */
  open(filter) {
    this.close();
    this.list.replaceChildren();
    this.held = [];
    this.received = 0;
    this.counter.textContent = '0 received';
    this.empty.hidden = false;
    const query = String(filter);
    this.setStatus('connecting', '');
    const source = new EventSource(query === '' ? '/stream' : `/stream?${query}`);
    this.source = source;
    source.addEventListener('open', () => this.setStatus(this.pause.checked ? 'paused' : 'live', this.pause.checked ? '' : 'live'));
    source.addEventListener('error', (event) => {
      // The server's own `event: error` (the store does not answer; the stream goes on when it is back)
      // carries data; a dropped connection does not.
      if (typeof event.data === 'string') this.setStatus('archive unavailable', 'down');
      else if (source.readyState === EventSource.CLOSED) this.setStatus('stopped: the server refused the stream', 'down');
      else this.setStatus('reconnecting', 'down');
    });
    source.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.received += 1;
      if (!this.pause.checked && this.status.textContent !== 'live') this.setStatus('live', 'live');
      this.counter.textContent = `${this.received} received`;
      if (this.pause.checked) {
        this.held.push(message);
        if (this.held.length > TAIL_LENGTH) this.held.shift();
      } else {
        this.show(message);
      }
    });
  }

  close() {
    this.source?.close();
    this.source = undefined;
  }

  setStatus(text, kind) {
    this.status.textContent = text;
    this.status.className = `pill ${kind}`;
  }

  /** Adds one envelope (`{id, topic, time, headers, producer}`) at the top. */
  show(message) {
    const item = document.createElement('li');
    item.dataset['id'] = String(message.id ?? '');
    const time = document.createElement('time');
    const when = new Date(Number(message.time));
    if (!Number.isNaN(when.getTime())) {
      time.dateTime = when.toISOString();
      time.textContent = TIME.format(when);
      time.title = when.toISOString();
    }
    const topic = document.createElement('code');
    topic.className = 'topic';
    topic.textContent = String(message.topic ?? '');
    const who = document.createElement('span');
    who.className = 'who';
    const headers = message.headers ?? {};
    who.textContent = [headers.usernames, headers.packages].filter((value) => typeof value === 'string' && value !== '').join(' · ') || String(message.producer?.name ?? '');
    item.append(time, topic, who);
    this.list.prepend(item);
    while (this.list.children.length > TAIL_LENGTH) this.list.lastElementChild?.remove();
    this.empty.hidden = true;
  }
}
