/**
 * Trainer benchmark on the deep-hashing paper protocols (issue 6): every method on the same split and
 * seed, MAP@all (tie-aware) of the query set against the database, and training time.
 *
 *   npm run bench:train -- --data mnist --bits 12,24,32,48 --method dph,lsh,itq,dpsh,exponentiated [--json]
 *
 * Methods: lsh, itq, dpsh, exponentiated, dph, and DPH variants: dph-de (divide-and-encode output
 * layer), dph-ga (gradient amplifier + error-aware quantisation), dph-q (quantisation alone),
 * dph-stress / dph-stress-ga (no bit balance + strong quantisation, without / with the dead-bit
 * remedies), dph-cb (class-imbalance weighting), dph-h (an entropy bonus on the policy, β = 1.2 on the mean
 * bit entropy), dph-c (a pull towards per-class hash centres, λ = 1); drlih (DRLIH's sequential bit policy: action
 * groups of 4 bits, the final reward), drlih-step (with the triplet step rewards as well) and drlih-g1 (one bit a step).
 * Options: --epochs N, --hidden N (0 = linear head), --conv LAYERS (raw images: a conv stack, e.g. 32x3,32x3p,64x3,64x3p = 3×3 layers, p = 2×2 max-pool after; a bare number F is a 5×5 pooled layer), --conv2 FILTERS (appends a 5×5 pooled layer: `--conv 32 --conv2 64` = `--conv 32,64`),
 * --group BITS and --policy-hidden N (DRLIH's action group and recurrent state), --lr RATE (overrides every method's tuned learning rate), --wd DECAY (AdamW weight decay, default 1e-4), --seed N, --threads N, --augment PIXELS, --rotate DEGREES and --scale FRACTION (random turn and scale of image rows), --dropout P (hidden layer), --balance W, --samples N, --entropy β, --centre λ and --baseline leave-one-out|greedy (DPH's bit-balance weight, codes sampled per query, entropy bonus, pull towards class hash centres and REINFORCE baseline), --refresh T (DPH: steps between database-net refreshes, default 20), --imbalance RATIO (training classes shrunk geometrically),
 * --descriptors DIR (cifar10: backbone descriptors, see training/data/datasets.ts), --views (cifar10: append the
 * augmented views of the training images that `training/cli/export-cifar-descriptors.ts --views N --seed S` wrote
 * to DIR for this seed as more training items; every method trains on the same items).
 * Timings are wall-clock on whatever machine runs it; say whether it was shared.
 */
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HeadCompute } from '../../training/compute/compute-graphs.js';
import {
  loadDescriptorSet,
  loadFashionMnist,
  loadMnist,
  paperSplit,
  subset,
  type LabelledSet,
  type RetrievalSplit,
} from '../../training/data/datasets.js';
import { appendViews, loadDescriptorViews } from '../../training/data/descriptor-views.js';
import { formatConvLayers, parseConvLayers, type HeadParameters } from '../../training/compute/head.js';
import { trainHeadInProcess } from '../../training/loop/train.js';
import { resolveOptions, type TrainHeadOptions } from '../../training/loop/train-head.js';
import type { Method } from '../../training/loop/training-options.js';
import { heldOutMap } from '../../training/loop/training-loop.js';

const DATASETS = {
  mnist: { load: () => loadMnist(), databaseIncludesTrain: true, hidden: 512 },
  'fashion-mnist': { load: () => loadFashionMnist(), databaseIncludesTrain: false, hidden: 512 },
  cifar10: { load: (dir: string) => loadDescriptorSet(dir), databaseIncludesTrain: false, hidden: 0 },
} as const;
type DataName = keyof typeof DATASETS;

/** Per-method settings: the base method plus what the variant switches on. Learning rates were tuned on MNIST 12 bits (see training/README.md). */
const METHOD_SETTINGS: Record<string, { method: Method } & Omit<TrainHeadOptions, 'data' | 'dataDescription'>> = {
  lsh: { method: 'lsh' },
  itq: { method: 'itq' },
  dpsh: { method: 'dpsh', learningRate: 1e-4 },
  exponentiated: { method: 'exponentiated', learningRate: 1e-3 },
  dph: { method: 'dph', learningRate: 1e-3 },
  'dph-de': { method: 'dph', learningRate: 1e-3, divideAndEncode: true },
  'dph-ga': {
    method: 'dph',
    learningRate: 1e-3,
    policy: {
      gradientAmplifier: { threshold: 0.2, maxGain: 5 },
      quantisationWeight: 0.1,
      errorAwareQuantisation: true,
    },
  },
  'dph-cb': { method: 'dph', learningRate: 1e-3, classBalancePower: 1 },
  // DPH with an entropy bonus on the policy (β = 1.2 on the mean bit entropy: 0.1 per bit at 12 bits).
  'dph-h': { method: 'dph', learningRate: 1e-3, policy: { entropyWeight: 1.2 } },
  // DPH with a pull towards per-class hash centres (CSQ), λ = 1 per query (see --centre).
  'dph-c': { method: 'dph', learningRate: 1e-3, policy: { centreWeight: 1 } },
  // Dead-bit stress test: strong quantisation, no bit balance; without and with Zhao et al.'s remedies.
  'dph-stress': { method: 'dph', learningRate: 1e-3, policy: { bitBalanceWeight: 0, quantisationWeight: 0.5 } },
  'dph-stress-ga': {
    method: 'dph',
    learningRate: 1e-3,
    policy: {
      bitBalanceWeight: 0,
      quantisationWeight: 0.5,
      gradientAmplifier: { threshold: 0.2, maxGain: 5 },
      errorAwareQuantisation: true,
    },
  },
  // Plain quantisation pressure without the remedies, the reference for the dead-bit comparison.
  'dph-q': { method: 'dph', learningRate: 1e-3, policy: { quantisationWeight: 0.1 } },
  // DRLIH's sequential policy: action groups of 4 bits, the final reward (see --group).
  drlih: { method: 'drlih', learningRate: 1e-3 },
  // Its ablations: with the triplet step rewards as well; one bit a step (no action groups).
  'drlih-step': { method: 'drlih', learningRate: 1e-3, drlih: { stepRewards: true } },
  'drlih-g1': { method: 'drlih', learningRate: 1e-3, drlih: { group: 1 } },
};

/**
 * Keeps class c's training items in proportion ratio^(c/(C−1)) (class 0 all, the last class `ratio`):
 * the unequal album sizes class-imbalance weighting is for. Queries and database are untouched.
 */
function imbalanceTraining(train: LabelledSet, ratio: number): LabelledSet {
  const classes = Math.max(...train.labels) + 1;
  const kept: number[] = [];
  const seen = new Array<number>(classes).fill(0);
  const perClass = new Array<number>(classes).fill(0);
  for (const l of train.labels) perClass[l]!++;
  train.labels.forEach((label, i) => {
    const keep = Math.max(1, Math.round(perClass[label]! * ratio ** (label / Math.max(classes - 1, 1))));
    if (seen[label]!++ < keep) kept.push(i);
  });
  return subset(train, kept);
}

export interface BenchResult {
  data: string;
  method: string;
  bits: number;
  map: number;
  trainSeconds: number;
  deadBitFraction: number;
  epochs: number;
  hiddenDim: number;
  /** The conv stack as parseConvLayers reads it ("" = none). */
  conv: string;
  trainCount: number;
}

async function evaluate(head: HeadParameters, split: RetrievalSplit, threads?: number): Promise<number> {
  const compute = await HeadCompute.open(head.architecture, threads);
  try {
    return await heldOutMap(compute, head, split.queries, split.database);
  } finally {
    await compute.release();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: 'mnist' },
      bits: { type: 'string', default: '12,24,32,48' },
      method: { type: 'string', default: 'lsh,itq,dpsh,exponentiated,dph' },
      epochs: { type: 'string', default: '30' },
      hidden: { type: 'string' },
      seed: { type: 'string', default: '1' },
      threads: { type: 'string' },
      augment: { type: 'string', default: '0' },
      rotate: { type: 'string', default: '0' },
      dropout: { type: 'string', default: '0' },
      balance: { type: 'string' },
      samples: { type: 'string' },
      entropy: { type: 'string' },
      centre: { type: 'string' },
      baseline: { type: 'string' },
      refresh: { type: 'string' },
      scale: { type: 'string', default: '0' },
      conv: { type: 'string', default: '0' },
      conv2: { type: 'string', default: '0' },
      lr: { type: 'string' },
      wd: { type: 'string' },
      group: { type: 'string' },
      'policy-hidden': { type: 'string' },
      imbalance: { type: 'string', default: '1' },
      descriptors: { type: 'string', default: path.join(os.tmpdir(), 'lookalike-cifar10-descriptors') },
      views: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const dataNames = values.data.split(',') as DataName[];
  const bitsList = values.bits.split(',').map(Number);
  const methods = values.method.split(',');
  for (const m of methods)
    if (!METHOD_SETTINGS[m]) throw new Error(`unknown method ${m}; known: ${Object.keys(METHOD_SETTINGS).join(', ')}`);
  const seed = Number(values.seed);
  const threads = values.threads ? Number(values.threads) : undefined;
  const results: BenchResult[] = [];
  for (const dataName of dataNames) {
    const spec = DATASETS[dataName];
    if (!spec) throw new Error(`unknown data ${dataName}; known: ${Object.keys(DATASETS).join(', ')}`);
    const set = spec.load(values.descriptors);
    const split = paperSplit(
      set,
      { queriesPerClass: 100, trainPerClass: 500, databaseIncludesTrain: spec.databaseIncludesTrain },
      seed,
    );
    if (values.views) {
      if (dataName !== 'cifar10') throw new Error('--views is for cifar10 (image sets augment with --augment)');
      const views = loadDescriptorViews(values.descriptors, seed);
      if (!views)
        throw new Error(
          `no views for seed ${seed} in ${values.descriptors}: run \`npx tsx training/cli/export-cifar-descriptors.ts --views 1 --seed ${seed}\``,
        );
      split.train = appendViews(split.train, split.rows.train, views);
    }
    if (Number(values.imbalance) < 1) split.train = imbalanceTraining(split.train, Number(values.imbalance));
    const hiddenDim = values.hidden !== undefined ? Number(values.hidden) : spec.hidden;
    console.error(
      `${dataName}: ${split.queries.count} queries, ${split.train.count} train, ${split.database.count} database, input ${set.dim}-d`,
    );
    for (const methodName of methods) {
      for (const bits of bitsList) {
        const settings = METHOD_SETTINGS[methodName]!;
        const options = resolveOptions({
          ...settings,
          bits,
          seed,
          threads,
          hiddenDim,
          epochs: Number(values.epochs),
          augmentShift: Number(values.augment),
          augmentRotate: Number(values.rotate),
          dropout: Number(values.dropout),
          augmentScale: Number(values.scale),
          convLayers: [...parseConvLayers(values.conv), ...parseConvLayers(values.conv2)],
        });
        if (values.lr) options.learningRate = Number(values.lr);
        if (values.wd) options.weightDecay = Number(values.wd);
        if (values.balance) options.policy.bitBalanceWeight = Number(values.balance);
        if (values.samples) options.policy.samplesPerQuery = Number(values.samples);
        if (values.entropy) options.policy.entropyWeight = Number(values.entropy);
        if (values.centre) options.policy.centreWeight = Number(values.centre);
        if (values.refresh) options.databaseRefreshSteps = Number(values.refresh);
        if (values.group) options.drlih.group = Number(values.group);
        if (values['policy-hidden']) options.drlih.hidden = Number(values['policy-hidden']);
        if (values.baseline) {
          if (values.baseline !== 'leave-one-out' && values.baseline !== 'greedy')
            throw new Error(`--baseline must be leave-one-out or greedy, not ${values.baseline}`);
          options.policy.baseline = values.baseline;
        }
        const trained = await trainHeadInProcess({ train: split.train }, options, {
          onProgress: (p) =>
            process.stderr.write(
              `\r  ${methodName} ${bits} bits: epoch ${p.epoch}, reward ${p.reward.toFixed(4)}, train MAP ${p.mapValidation.toFixed(4)}   `,
            ),
        });
        const map = await evaluate(trained.head, split, threads);
        const row: BenchResult = {
          data: dataName,
          method: methodName,
          bits,
          map,
          trainSeconds: trained.metrics.trainSeconds,
          deadBitFraction: trained.metrics.deadBitFraction,
          epochs: options.method === 'lsh' || options.method === 'itq' ? 0 : options.epochs,
          hiddenDim: trained.head.architecture.hiddenDim,
          conv: formatConvLayers(trained.head.architecture.conv?.layers ?? []),
          trainCount: split.train.count,
        };
        results.push(row);
        process.stderr.write(
          `\r  ${methodName} ${bits} bits: MAP ${map.toFixed(4)} in ${row.trainSeconds.toFixed(1)} s${' '.repeat(30)}\n`,
        );
      }
    }
  }
  printTable(results, bitsList);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync('bench-results', { recursive: true });
  const file = path.join('bench-results', `train-${dataNames.join('+')}-${stamp}.json`);
  writeFileSync(file, JSON.stringify({ command: process.argv.slice(2).join(' '), results }, null, 2));
  console.log(`\nwritten ${file}`);
  if (values.json)
    console.log(
      JSON.stringify({
        results: results.map(({ data, method, bits, map, trainSeconds }) => ({
          data,
          method,
          bits,
          map,
          trainSeconds,
        })),
      }),
    );
}

function printTable(results: BenchResult[], bitsList: number[]): void {
  for (const data of [...new Set(results.map((r) => r.data))]) {
    console.log(`\n${data}: MAP@all (tie-aware); training seconds in brackets; dead-bit fraction after /`);
    console.log(['method'.padEnd(14), ...bitsList.map((b) => `${b} bits`.padEnd(24))].join(''));
    for (const method of [...new Set(results.filter((r) => r.data === data).map((r) => r.method))]) {
      const cells = bitsList.map((bits) => {
        const r = results.find((x) => x.data === data && x.method === method && x.bits === bits);
        return (
          r ? `${r.map.toFixed(4)} (${r.trainSeconds.toFixed(0)} s) /${r.deadBitFraction.toFixed(2)}` : '—'
        ).padEnd(24);
      });
      console.log([method.padEnd(14), ...cells].join(''));
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
