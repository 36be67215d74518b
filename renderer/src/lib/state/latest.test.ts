import { describe, expect, it } from 'vitest';
import { LatestRequest } from './latest.js';

describe('LatestRequest', () => {
  it('cancels the request in flight when a new one starts, and only the new one is the latest', () => {
    const requests = new LatestRequest();
    const first = requests.start();
    expect(first.isLatest()).toBe(true);
    const second = requests.start();
    expect(first.signal.aborted).toBe(true);
    expect(first.isLatest()).toBe(false);
    expect(second.signal.aborted).toBe(false);
    expect(second.isLatest()).toBe(true);
    // The superseded one finishing does not end the latest; the latest finishing does.
    expect(first.finish()).toBe(false);
    expect(second.isLatest()).toBe(true);
    expect(second.finish()).toBe(true);
    expect(second.isLatest()).toBe(false);
  });

  it('cancels the request in flight on demand; it stays the latest until it finishes', () => {
    const requests = new LatestRequest();
    requests.cancel(); // nothing in flight: nothing happens
    const search = requests.start();
    requests.cancel();
    expect(search.signal.aborted).toBe(true);
    expect(search.isLatest()).toBe(true);
    expect(search.finish()).toBe(true);
    const next = requests.start();
    expect(next.signal.aborted).toBe(false);
  });
});
