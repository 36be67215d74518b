/**
 * Scores `model-dup-verified`, the app's duplicate rule with verification: candidates within R bits of the
 * duplicate code, kept when the cosine of the stored int8 embeddings (quantised exactly as the catalog
 * stores them) is at least τ. The grid sweep, the rows the report prints, recall per edit, false positives by
 * kind, the presets calibrated by the rule in electron/search/duplicates/presets.ts, and grouping with the app's
 * `findDuplicateGroups` (verified self-join pairs and upright variant pairs; with geometric matching, verified
 * rotated/mirrored variant pairs too).
 */
import { embeddingCosine, quantizeEmbedding } from '../../../model/embedding.js';
import { ORIENTATION_COUNT } from './dihedral.js';
import {
  calibrateVerifiedPresets,
  type MatchRule,
  type NearPreset,
  THRESHOLD_PRESETS,
} from '../../../electron/search/duplicates/presets.js';
import {
  encodeWithCache,
  hammingDistance,
  modelDupLogitsMethod,
  modelDupMethod,
  type ShippedModel,
} from './methods.js';
import { falsePositiveKinds, originalsBySource, recallPerEdit, scoreGrouping, type Subset } from './metrics.js';
import type { ScoreRow } from './report.js';
import type { MethodResult } from './score.js';
import type { SetEntry } from './set.js';
import type { BenchPictures } from './pixels.js';
import { bestRule, formatRule, type RuleScore, VerifiedPairs } from './verified.js';

const log = (message: string) => process.stderr.write(`${message}\n`);

export interface VerifiedResult {
  result: MethodResult;
  /** The presets the calibration rule picks from this run's standard sweep. */
  presets: Record<NearPreset, MatchRule>;
}

/**
 * `model-dup-verified`, or with `pixels` `model-dup-verified-pixels`: the same rule, and every accepted pair's
 * pixels must match as well (the check the app runs last; tests/bench/dedup/pixels.ts).
 */
export async function scoreVerifiedMethod(
  model: ShippedModel,
  entries: SetEntry[],
  cacheDir: string,
  pixels?: BenchPictures,
): Promise<VerifiedResult> {
  const shipped = model.presetRules();
  const files = entries.map((e) => e.file);
  const codeMethod = modelDupMethod(model);
  const name = pixels ? `model-dup-verified-pixels${pixels.label}` : 'model-dup-verified';
  const version = `${codeMethod.version}:verified${pixels ? `:pixels-${Object.values(pixels.rule).join('-')}` : ''}`;
  log(`${name} (${version})`);
  const pixelCheck = pixels && ((a: number, ka: number, b: number, kb: number) => pixels.match(a, ka, b, kb));
  const codes = await encodeWithCache(codeMethod, files, cacheDir);
  const logits = await encodeWithCache(modelDupLogitsMethod(model), files, cacheDir);
  const seconds = codes.seconds + logits.seconds;
  log(`  encodings ${codes.cached && logits.cached ? 'from cache' : `computed in ${seconds.toFixed(0)} s`}`);
  const embeddings = logits.encodings.map((row) => row.map((v) => quantizeEmbedding(v)));
  const started = performance.now();
  const pairs = new VerifiedPairs(codes.encodings, embeddings, pixelCheck);
  const sweep: Record<string, RuleScore[]> = {
    standard: pairs.sweep(entries, 'standard', false),
    all: pairs.sweep(entries, 'all', false),
    'all, geometric': pairs.sweep(entries, 'all', true),
  };
  log(`  pairs and grid in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (pixels) log(`  pixel checks: ${pixels.checks} in ${pixels.seconds.toFixed(1)} s`);

  const best = bestRule(sweep.standard);
  const bestGeometric = bestRule(sweep['all, geometric']);
  const at = (key: string, rule: { radius: number; minCosine: number }) =>
    sweep[key].find((s) => s.radius === rule.radius && Math.abs(s.minCosine - rule.minCosine) < 1e-9)!;
  const row = (setting: string, subset: string, key: string, rule: MatchRule): ScoreRow => ({
    setting,
    subset,
    threshold: formatRule(rule),
    score: at(key, { radius: rule.radius, minCosine: rule.minCosine ?? -1 }),
  });
  const rows: ScoreRow[] = [
    row('best F1', 'standard', 'standard', best),
    row('same rule', 'all', 'all', best),
    row('same rule, geometric', 'all', 'all, geometric', best),
    row('best F1, geometric', 'all', 'all, geometric', bestGeometric),
  ];

  const presets = calibrateVerifiedPresets(sweep.standard);
  const accepts = (rule: MatchRule, geometric: boolean) => (i: number, j: number) =>
    pairs.accepts(i, j, { radius: rule.radius, minCosine: rule.minCosine ?? -1 }, geometric);
  const verifyAt = (rule: MatchRule) => (a: number, b: number) =>
    (embeddingCosine(embeddings[a][0], embeddings[b][0]) ?? 1) >= (rule.minCosine ?? -1) - 1e-9 &&
    (!pixelCheck || pixelCheck(a, 0, b, 0));
  // The app's variant pairs: photo a's greyscale or trimmed (and, geometric, rotated/mirrored) code within R of
  // b's code, with the variant's embedding.
  const variantPairs = (rule: MatchRule, geometric: boolean) => (ids: number[]) => {
    const found: [number, number][] = [];
    for (const a of ids) {
      for (let k = geometric ? 1 : ORIENTATION_COUNT; k < codes.encodings[a].length; k++) {
        for (const b of ids) {
          if (a === b || hammingDistance(codes.encodings[a][k], codes.encodings[b][0]) > rule.radius) continue;
          const cosine = embeddingCosine(embeddings[a][k], embeddings[b][0]) ?? 1;
          if (cosine >= (rule.minCosine ?? -1) - 1e-9 && (!pixelCheck || pixelCheck(a, k, b, 0))) found.push([a, b]);
        }
      }
    }
    return found;
  };
  const group = (setting: string, subset: Subset, rule: MatchRule, geometric = false) => ({
    setting,
    subset,
    rule: formatRule(rule),
    score: scoreGrouping(entries, subset, codes.encodings, rule.radius, {
      verify: verifyAt(rule),
      extraPairs: variantPairs(rule, geometric),
    }),
  });
  const grouping: MethodResult['grouping'] = [group('best F1', 'standard', best)];
  const recallAtPresets: NonNullable<MethodResult['recallAtPresets']> = [];
  const scorePreset = (label: string, rule: MatchRule) => {
    rows.push(row(label, 'standard', 'standard', rule));
    recallAtPresets.push({
      preset: label,
      radius: rule.radius,
      rule: formatRule(rule),
      plain: Object.fromEntries(recallPerEdit(entries, accepts(rule, false))),
      geometric: Object.fromEntries(recallPerEdit(entries, accepts(rule, true))),
    });
    grouping.push(group(label, 'standard', rule));
  };
  for (const preset of THRESHOLD_PRESETS) if (preset !== 'exact') scorePreset(`preset ${preset}`, presets[preset]);
  // The presets the app ships (model/artifacts/manifest.json), where they differ from this run's: how another
  // seed's set scores the rules calibrated on seed 1, and what the app does before --write-presets replaces them.
  for (const preset of ['very-close', 'close', 'loose'] as const) {
    // Scored by this method's pixel rule, as the calibrated ones are: only the radius and cosine are compared.
    const found = shipped?.[preset];
    const rule = found && { radius: found.radius, minCosine: found.minCosine };
    const calibrated = presets[preset];
    if (!rule || (rule.radius === calibrated.radius && rule.minCosine === calibrated.minCosine)) continue;
    if (at('standard', { radius: rule.radius, minCosine: rule.minCosine ?? -1 }))
      scorePreset(`shipped ${preset}`, rule);
    else log(`  shipped ${preset} (${formatRule(rule)}) is not on this sweep's grid: not scored`);
  }
  grouping.push(group('best F1 (no geometric)', 'all', best));
  grouping.push(group('best F1, geometric (verified variant pairs)', 'all', best, true));

  const originals = originalsBySource(entries);
  const [left, right] = [originals.get('motorcycle_left'), originals.get('motorcycle_right')];
  const notes =
    left !== undefined && right !== undefined
      ? [
          `motorcycle stereo pair (not duplicates): d ${hammingDistance(codes.encodings[left][0], codes.encodings[right][0])}, ` +
            `cos ${(embeddingCosine(embeddings[left][0], embeddings[right][0]) ?? NaN).toFixed(3)}`,
        ]
      : [];
  return {
    presets,
    result: {
      name,
      version,
      metric: 'hamming+cosine',
      encodeSeconds: codes.cached && logits.cached ? null : seconds,
      rows,
      chosenThreshold: best.radius,
      chosenLabel: formatRule(best),
      recallPerEdit: Object.fromEntries(recallPerEdit(entries, accepts(best, false))),
      recallPerEditGeometric: Object.fromEntries(recallPerEdit(entries, accepts(best, true))),
      recallAtPresets,
      falsePositives: falsePositiveKinds(entries, 'standard', accepts(best, false)),
      notes,
      grouping,
      sweep,
    },
  };
}
