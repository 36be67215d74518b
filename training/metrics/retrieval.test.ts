import { describe, expect, it } from 'vitest';
import { classMeanAveragePrecision, cosineSimilarities, duplicateRetrieval } from './retrieval.js';

/** Unit vectors in 2-D at the given angles (degrees), as rows. */
function unitRows(angles: number[]): Float32Array {
  return Float32Array.from(angles.flatMap((a) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)]));
}

describe('retrieval metrics', () => {
  it('computes cosine similarities as dot products', async () => {
    const s = await cosineSimilarities(unitRows([0, 90]), unitRows([0, 60, 180]), 2);
    const expected = [1, 0.5, -1, 0, Math.sqrt(3) / 2, 0];
    expected.forEach((e, i) => expect(s[i]).toBeCloseTo(e, 5));
  });

  it('MAP is 1 for perfect class separation and matches a hand-computed ranking otherwise', async () => {
    const db = unitRows([0, 10, 90, 100]);
    expect(await classMeanAveragePrecision(unitRows([5, 95]), db, 2, [0, 1], [0, 0, 1, 1])).toBeCloseTo(1, 6);
    // Query at 0°: ranking 0°(rel), 10°(not), 90°(rel), 100°(not) → AP = (1/1 + 2/3) / 2.
    const map = await classMeanAveragePrecision(unitRows([0]), db, 2, [0], [0, 1, 0, 1]);
    expect(map).toBeCloseTo((1 + 2 / 3) / 2, 6);
  });

  it('ranks each copy’s original and scores one global threshold with the pair AP', async () => {
    const gallery = unitRows([0, 90, 45]); // originals 0 and 1, distractor 2
    const copies = unitRows([40, 80]); // copy of 0 sits nearer the distractor; copy of 1 is close
    const { ranks, pairAp } = await duplicateRetrieval(copies, gallery, 2, [0, 1], [true, true]);
    expect(ranks).toEqual([2, 1]);
    // Pairs by cosine: (c0,g2)=cos5 −, (c1,g1)=cos10 +, (c1,g2)=cos35 −, (c0,g0)=cos40 +, … → AP = (1/2 + 2/4) / 2.
    expect(pairAp).toBeCloseTo(0.5, 6);
  });
});
