/**
 * Writes backbone descriptors of all 60,000 CIFAR-10 images for the trainer benchmark
 * (`npm run bench:train -- --data cifar10 --descriptors DIR`): DIR/descriptors.f32 (float32 rows in
 * cifar10Files() order) + DIR/descriptors.json ({count, dim, labels, backboneVersion}).
 *
 *   npx tsx training/export-cifar-descriptors.ts [--out DIR] [--limit N]
 *
 * Slow on a small CPU (one backbone pass per image); --limit N takes the first N images of each class
 * (train before test) for a smoke run. Needs ../shared/data/cifar10 and model/artifacts/backbone.onnx.
 */
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cifar10Files } from '../model/backbone/cifar.js';
import { describeFiles } from '../model/backbone/describe-files.js';
import { Encoder } from '../model/encoder.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(os.tmpdir(), 'lookalike-cifar10-descriptors') },
      limit: { type: 'string' },
    },
  });
  let files = cifar10Files();
  if (values.limit) {
    const limit = Number(values.limit);
    const taken = new Map<number, number>();
    files = files.filter((f) => {
      const n = taken.get(f.label) ?? 0;
      taken.set(f.label, n + 1);
      return n < limit;
    });
  }
  const encoder = await Encoder.open({ head: null });
  const started = performance.now();
  const rows = await describeFiles(
    encoder,
    files.map((f) => f.file),
    { onProgress: (done, total) => process.stderr.write(`\rdescriptors ${done}/${total}   `) },
  );
  const dim = encoder.descriptorDim;
  await encoder.close();
  mkdirSync(values.out, { recursive: true });
  writeFileSync(
    path.join(values.out, 'descriptors.f32'),
    new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength),
  );
  writeFileSync(
    path.join(values.out, 'descriptors.json'),
    JSON.stringify({ count: files.length, dim, labels: files.map((f) => f.label) }),
  );
  process.stderr.write(
    `\nwrote ${files.length} × ${dim} descriptors to ${values.out} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

await main();
