/**
 * `npm run bench:similarity -- HEAD_ID...`: how a head's codes generalise beyond the classes it was
 * trained on — tie-aware MAP@all on Fashion-MNIST's 10,000 test images (Debian dataset-fashion-mnist:
 * clothing, classes no head was trained on), each 28×28 image described by the shipped backbone as a
 * PNG file would be; 100 queries per class against the other 9,000. A proxy for the held-out
 * set of real labelled photos. Descriptors are cached in the temp folder.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describeFiles } from '../../model/backbone/describe-files.js';
import { Encoder } from '../../model/encoder.js';
import { encodeImage } from '../../model/image.js';
import { loadFashionMnist } from '../../training/datasets.js';
import { packCodes } from '../../training/hamming-kernel.js';
import { meanAveragePrecision } from '../../training/ranking-metrics.js';
import { gatherRows } from '../../training/training-loop.js';

const cache = path.join(os.tmpdir(), 'lookalike-fashion-mnist-test-descriptors.f32');
const fm = loadFashionMnist();
const start = fm.count - 10000;
const labels = fm.labels.slice(start);
let rows: Float32Array;
const base = await Encoder.open({ head: null });
const dim = base.descriptorDim;
if (existsSync(cache)) {
  const b = readFileSync(cache);
  rows = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
} else {
  const files: Buffer[] = [];
  for (let i = 0; i < 10000; i++) {
    const px = new Uint8Array(784);
    for (let j = 0; j < 784; j++) px[j] = Math.round(fm.features[(start + i) * 784 + j] * 255);
    files.push(await encodeImage({ data: px, width: 28, height: 28, channels: 1 }, 'png'));
  }
  rows = await describeFiles(base, files);
  writeFileSync(cache, new Uint8Array(rows.buffer));
}
await base.close();
const q: number[] = [];
const d: number[] = [];
const seen = new Map<number, number>();
for (let i = 0; i < 10000; i++) {
  const n = seen.get(labels[i]) ?? 0;
  seen.set(labels[i], n + 1);
  (n < 100 ? q : d).push(i);
}
const ids = process.argv.slice(2);
if (ids.length === 0)
  throw new Error('usage: npm run bench:similarity -- HEAD_ID... (ids from model/artifacts/manifest.json)');
for (const id of ids) {
  const enc = await Encoder.open({ heads: { dup: id, sim: id } });
  const descriptors = Array.from({ length: 10000 }, (_, i) => rows.subarray(i * dim, (i + 1) * dim));
  const hashed = await enc.hash('sim', descriptors);
  const bits = enc.roles.sim!.bits;
  const logits = new Float32Array(10000 * bits);
  hashed.forEach((h, i) => logits.set(h.logits, i * bits));
  const map = meanAveragePrecision(
    packCodes(gatherRows(logits, bits, q), q.length, bits),
    Int32Array.from(q, (i) => labels[i]),
    packCodes(gatherRows(logits, bits, d), d.length, bits),
    Int32Array.from(d, (i) => labels[i]),
  );
  console.log(`${id}\t${enc.roles.sim!.version}\tFashion-MNIST test MAP@all ${map.toFixed(4)}`);
  await enc.close();
}
