/**
 * `npm run bench:candidates`: how many candidate pairs the duplicate search must find and verify at each
 * radius on real images' codes, and how long the index's self-join takes — the cost side of the presets'
 * candidate radius (electron/search/duplicates/presets.ts MAX_CANDIDATE_RADIUS). Codes: the manifest's dup head on
 * CIFAR-10 descriptors (all 60,000 images; write them first with `npx tsx training/cli/export-cifar-descriptors.ts`).
 *
 *   npm run bench:candidates [-- --descriptors DIR] [--sizes 10000,60000] [--radii 4,11,12,13,15,19]
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HammingIndex } from '../../electron/search/index/hamming-index.js';
import { Encoder } from '../../model/encoder.js';
import { loadDescriptorSet } from '../../training/data/datasets.js';

const { values } = parseArgs({
  options: {
    descriptors: { type: 'string', default: path.join(os.tmpdir(), 'lookalike-cifar10-descriptors') },
    sizes: { type: 'string', default: '10000,60000' },
    radii: { type: 'string', default: '4,11,12,13,15,19' },
  },
});
if (!existsSync(path.join(values.descriptors, 'descriptors.json')))
  throw new Error(`no descriptors in ${values.descriptors}: run \`npx tsx training/cli/export-cifar-descriptors.ts\``);
const set = loadDescriptorSet(values.descriptors);
const encoder = await Encoder.open();
const dup = encoder.roles.dup!;
const rows = Array.from({ length: set.count }, (_, i) => set.features.subarray(i * set.dim, (i + 1) * set.dim));
const hashed = await encoder.hash('dup', rows);
await encoder.close();
const words = dup.bits / 32;
console.log(`dup head ${dup.version} on CIFAR-10 descriptors; self-join = every pair within the radius`);
console.log('radius queries = 10,000 stored codes queried back (what a variant code costs: a greyscale variant');
console.log('is near its photo, so it has about as many neighbours; a rotated one usually fewer)');
console.log(
  '| photos | radius | candidate pairs | share of all pairs | self-join s | radius queries ms/query | hits/query |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const size of values.sizes.split(',').map(Number)) {
  const n = Math.min(size, set.count);
  const codes = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) codes.set(hashed[i]!.code, i * words);
  const index = HammingIndex.fromCodes(
    dup.bits,
    Array.from({ length: n }, (_, i) => i),
    codes,
  );
  for (const radius of values.radii.split(',').map(Number)) {
    const started = performance.now();
    let pairs = 0;
    index.forEachPairWithin(radius, () => pairs++);
    const seconds = (performance.now() - started) / 1000;
    const share = pairs / ((n * (n - 1)) / 2);
    const queries = Math.min(10_000, n);
    const queryStart = performance.now();
    let hits = 0;
    for (let q = 0; q < queries; q++)
      hits += index.radiusSearch(codes.subarray(q * words, (q + 1) * words), radius).length;
    const perQuery = (performance.now() - queryStart) / queries;
    console.log(
      `| ${n} | ${radius} | ${pairs} | ${(share * 100).toFixed(3)} % | ${seconds.toFixed(2)} | ${perQuery.toFixed(3)} | ${(hits / queries).toFixed(0)} |`,
    );
  }
}
