/**
 * Fits the interim hashing head (ITQ, unsupervised) on backbone descriptors of CIFAR-10 training images
 * and the shared photos, and installs it as model/artifacts/head-itq-<bits>.onnx (the default head).
 * Run after the backbone changes: `npx tsx training/cli/fit-itq-head.ts [--bits 64] [--per-class 400]`.
 * Needs ../shared/data. Deterministic for the same data and arguments.
 */
import { meanAveragePrecision } from '../metrics/ranking-metrics.js';
import { packCodes } from '../metrics/hamming-kernel.js';
import { Encoder, openSession } from '../../model/encoder.js';
import { cifar10Files, sharedPhotos } from '../../model/backbone/cifar.js';
import { describeFiles } from '../../model/backbone/describe-files.js';
import { fitItq, linearHeadToOnnx } from '../../model/backbone/itq.js';
import { DEFAULT_ARTIFACTS_DIR, installHead, readManifest } from '../../model/backbone/manifest.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const bits = option('bits', 64);
  const perClass = option('per-class', 400);
  const dir = DEFAULT_ARTIFACTS_DIR;
  const manifest = readManifest(dir);
  if (!manifest) throw new Error('no manifest: run `npm run build:model` first');
  // Training images only (the first `perClass` of each class's train split), so the benchmark's queries stay unseen.
  const cifar = cifar10Files().filter((f) => f.split === 'train');
  const chosen = cifar.filter((f, i) => cifar.findIndex((g) => g.label === f.label) + perClass > i);
  const photos = sharedPhotos();
  // Held out for the recorded metric: CIFAR-10 test split, 100 queries + 200 database images per class.
  const test = cifar10Files().filter((f) => f.split === 'test');
  const heldOut = test.filter((f, i) => i - test.findIndex((g) => g.label === f.label) < 300);
  const encoder = await Encoder.open({ artifactsDir: dir, head: null });
  const started = performance.now();
  const progress = (done: number, total: number) => process.stderr.write(`\rdescriptors ${done}/${total}   `);
  const cifarRows = await describeFiles(
    encoder,
    chosen.map((f) => f.file),
    { onProgress: progress },
  );
  // Photos twice: whole (fill) and centre-cropped (cover), for some real-photo statistics.
  const photoRows = await describeFiles(encoder, photos);
  const coverRows = await describeFiles(encoder, photos, { decode: { ...encoder.decodeOptions, fit: 'cover' } });
  const heldOutRows = await describeFiles(
    encoder,
    heldOut.map((f) => f.file),
    { onProgress: progress },
  );
  await encoder.close();
  const dim = manifest.backbone.output.dim;
  const n = chosen.length + 2 * photos.length;
  const rows = new Float32Array(n * dim);
  rows.set(cifarRows);
  rows.set(photoRows, cifarRows.length);
  rows.set(coverRows, cifarRows.length + photoRows.length);
  process.stderr.write(`\nfitting ITQ (${n} × ${dim} → ${bits} bits)\n`);
  const head = await fitItq(rows, n, dim, bits, { iterations: 50, seed: 1 });
  const id = `itq-${bits}`;
  const bytes = linearHeadToOnnx(
    head,
    { kind: 'itq', bits: String(bits), backbone: manifest.backbone.version },
    { float16Weights: true },
  );
  const heldOutMap = await hammingMap(bytes, heldOutRows, heldOut, dim, bits);
  process.stderr.write(`held-out CIFAR-10 MAP@all (Hamming, ${bits} bits): ${heldOutMap.toFixed(4)}\n`);
  const entry = installHead(
    dir,
    id,
    bytes,
    {
      version: `${id}-v1`, // the model version adds the backbone's: `<backbone>+<head>`
      kind: 'itq',
      bits,
      backboneVersion: manifest.backbone.version,
      input: { name: 'descriptor', dim },
      output: { name: 'logits' },
      fittedOn: `CIFAR-10 train, first ${perClass} per class (${chosen.length}) + ${photos.length} shared photos (fill and cover)`,
      metrics: {
        quantisationLossPerItem: Number(head.loss.toFixed(4)),
        cifar10TestMapAll: Number(heldOutMap.toFixed(4)),
      },
      evaluatedOn:
        'CIFAR-10 test split: 100 queries per class vs 200 database images per class, MAP@all, tie-aware Hamming ranking',
    },
    { makeDefault: true },
  );
  process.stdout.write(
    `installed ${entry.file} (${bits} bits, sha256 ${entry.sha256.slice(0, 12)}…) in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

/** Tie-aware Hamming MAP@all of the head's codes: the first 100 of each class query the rest. */
async function hammingMap(
  head: Uint8Array,
  rows: Float32Array,
  files: { label: number }[],
  dim: number,
  bits: number,
): Promise<number> {
  const session = await openSession(head, { providers: ['cpu'] });
  const { logits } = await session.run({ descriptor: { data: rows, dims: [files.length, dim] } });
  await session.release();
  const seen = new Map<number, number>();
  const isQuery = files.map((f) => {
    seen.set(f.label, (seen.get(f.label) ?? 0) + 1);
    return seen.get(f.label)! <= 100;
  });
  const pick = (query: boolean) => {
    const idx = files.map((_, i) => i).filter((i) => isQuery[i] === query);
    const scores = new Float32Array(idx.length * bits);
    idx.forEach((i, r) => scores.set(logits.data.subarray(i * bits, (i + 1) * bits), r * bits));
    return { codes: packCodes(scores, idx.length, bits), labels: Int32Array.from(idx, (i) => files[i].label) };
  };
  const q = pick(true);
  const db = pick(false);
  return meanAveragePrecision(q.codes, q.labels, db.codes, db.labels);
}

await main();
