// rates.js: messages a second from the counters the broker gives (published and consumed since
// start-up), as the difference between two readings over the time between them.

/** SAMPLES is how many readings a series keeps: two minutes at the overview's 2 s refresh. */
const SAMPLES = 60;

/** Rates keeps, per key, the last readings of a counter and the rates between them. */
export class Rates {
  constructor() {
    this.series = new Map();
  }

  /** add records a counter's reading at a time in ms and returns the series: {times, rates, last}. */
  add(key, atMs, counter) {
    let s = this.series.get(key);
    if (!s) {
      s = { times: [], rates: [], previous: null, last: null };
      this.series.set(key, s);
    }
    if (s.previous && atMs > s.previous.at) {
      // A counter that went down means the topic was deleted and made again: start over.
      const r = counter >= s.previous.value ? (counter - s.previous.value) * 1000 / (atMs - s.previous.at) : 0;
      s.times.push(atMs / 1000);
      s.rates.push(r);
      s.last = r;
      if (s.times.length > SAMPLES) {
        s.times.shift();
        s.rates.shift();
      }
    }
    s.previous = { at: atMs, value: counter };
    return s;
  }

  /** retain forgets every series whose key is not in the set. */
  retain(keys) {
    for (const k of [...this.series.keys()]) {
      if (!keys.has(k)) this.series.delete(k);
    }
  }
}
