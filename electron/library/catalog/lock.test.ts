import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { busySentence } from '../library.js';
import { Catalog } from './catalog.js';
import type { LockHolder } from './lock.js';

const holder = (over: Partial<LockHolder>): LockHolder => ({
  pid: 1000,
  host: 'here',
  token: 'a',
  what: 'scan',
  startedAt: new Date().toISOString(),
  ...over,
});

describe('the library lock across processes', () => {
  it('is held by a live process, taken over from a dead one, from this process, or from another machine after hours', () => {
    const catalog = Catalog.open(path.join(tempDir('lock'), 'library.db'));
    const alive = new Set([1000]);
    const isAlive = (pid: number) => alive.has(pid);
    expect(catalog.lock.tryTake(holder({}), isAlive)).toBeNull();
    // Another process of this machine: it waits while the holder lives, then takes over.
    const other = holder({ pid: 2000, token: 'b', what: 'trash' });
    expect(catalog.lock.tryTake(other, isAlive)).toMatchObject({ pid: 1000, what: 'scan' });
    alive.delete(1000); // killed
    expect(catalog.lock.tryTake(other, isAlive)).toBeNull();
    expect(catalog.lock.holder()).toMatchObject({ pid: 2000, token: 'b' });
    // Another thread of the holder's own process: the holder's job has ended (one job a process).
    alive.add(2000);
    expect(catalog.lock.tryTake(holder({ pid: 2000, token: 'c' }), isAlive)).toBeNull();
    // Given back only by its token.
    catalog.lock.release('b');
    expect(catalog.lock.holder()).toMatchObject({ token: 'c' });
    catalog.lock.release('c');
    expect(catalog.lock.holder()).toBeNull();
    // Another machine (a library on a shared disk): trusted for 12 hours.
    const elsewhere = holder({ pid: 5, host: 'there', token: 'd' });
    expect(catalog.lock.tryTake(elsewhere, isAlive)).toBeNull();
    expect(catalog.lock.tryTake(holder({ token: 'e' }), isAlive)).toMatchObject({ host: 'there' });
    catalog.lock.release('d');
    expect(
      catalog.lock.tryTake(
        holder({ host: 'there', token: 'f', startedAt: new Date(Date.now() - 13 * 3600_000).toISOString() }),
        isAlive,
      ),
    ).toBeNull();
    expect(catalog.lock.tryTake(holder({ token: 'g' }), isAlive)).toBeNull();
    catalog.close();
  });

  it('says what it waits for in a sentence', () => {
    const sentence = busySentence(holder({ what: 'trash', pid: 4242 }), 'here');
    expect(sentence).toMatch(
      /^The library is busy with a move to the trash started at .+ by another Lookalike \(process 4242\): waiting for it to finish\.$/,
    );
    expect(busySentence(holder({ host: 'nas' }), 'here')).toContain('(process 1000 on nas)');
  });
});
