/**
 * `npm run bench:dedup`: duplicate-finding quality on edited copies of ../shared/data/photos plus
 * look-alike distractors (tests/bench/dedup/set.ts), for the shipped query network's code
 * (`model-dup`), its logits by cosine (`model-dup-logits-cosine`), the app's verified rule (code within R,
 * then embedding cosine ≥ τ: `model-dup-verified`), the same with the pixel check of the thumbnails
 * (`model-dup-verified-pixels`, what the app's presets do), a 64-bit pHash, issue 7's `block_13_expand_relu`
 * cosine baseline and Debian's findimagedupes. Pairwise precision / recall / F1 over all pairs at each
 * method's best threshold and at the presets calibrated in the run, recall per edit, and grouping with the
 * app's `findDuplicateGroups`. 90° turns and mirrors are scored separately (subset `all`), with geometric
 * matching off and on.
 *
 * Options: --seed N (1) --cifar N (300 CIFAR-10 distractors) --head ID (model-dup's head; default the
 * manifest's duplicate head, else its default head) --methods a,b (all) --root DIR (temp folder)
 * --write-presets (record the head's calibrated presets in model/artifacts/manifest.json: the pixel-checked
 * rules when model-dup-verified-pixels ran, with very close = close's radius and cosine and the strict pixel
 * rule; else the verified rules when model-dup-verified ran; else radii alone from model-dup)
 * --out bench-results/dedup.json. Method `stress` (in the default list) builds the stress library
 * (tests/bench/dedup/stress-set.ts: many look-alike photos, few copies) and runs the app's `scan` and `dupes` on it
 * (--stress-presets close,loose), reporting pairs per photo at each stage, seconds, peak RSS and P/R/F1.
 * Method `keeper` (tests/bench/dedup/keeper.ts) measures whether the copy the app proposes to keep is the
 * source photo, per edit. Encodings are cached in the set's folder; run it with `nice`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  b13GapCosineMethod,
  modelDupLogitsMethod,
  modelDupMethod,
  phashMethod,
  ShippedModel,
} from './dedup/methods.js';
import { printReport } from './dedup/print.js';
import { scoreFindimagedupes, scoreVectorMethod, type MethodResult } from './dedup/score.js';
import { BenchPictures } from './dedup/pixels.js';
import { scoreVerifiedMethod } from './dedup/score-verified.js';
import { loadOrCreateSet } from './dedup/set.js';
import { printKeeper, runKeeper } from './dedup/keeper.js';
import { printStress, runStress } from './dedup/stress.js';
import { formatRule } from './dedup/verified.js';
import { type PixelRule, STRICT_PIXEL_RULE } from '../../electron/search/pixels/alignment.js';
import { calibratePresets, type MatchRule, type NearPreset } from '../../electron/search/duplicates/presets.js';
import { readManifest, writeManifest } from '../../model/backbone/manifest.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const SEED = Number(option('seed', '1'));
const CIFAR_COUNT = Number(option('cifar', '300'));
const HEAD = process.argv.includes('--head') ? option('head', '') : undefined;
const METHODS = option(
  'methods',
  'phash64,model-dup,model-dup-logits-cosine,model-dup-verified,model-dup-verified-pixels,mnv2-b13-gap-cosine,findimagedupes,stress,keeper',
).split(',');
const OUT = option('out', 'bench-results/dedup.json');
const ROOT = process.argv.includes('--root') ? option('root', '') : undefined;

const log = (message: string) => process.stderr.write(`${message}\n`);

async function main(): Promise<void> {
  const started = performance.now();
  // The stress library runs the app itself (scan, then dupes at each preset), apart from the pairwise methods.
  const stressRuns = METHODS.includes('stress')
    ? await runStress({ seed: SEED, root: ROOT, presets: option('stress-presets', 'close,loose').split(',') })
    : [];
  const pairwise = METHODS.filter((m) => m !== 'stress' && m !== 'keeper');
  if (!pairwise.length && !METHODS.includes('keeper')) {
    printStress(stressRuns);
    writeResults(started, { stress: stressRuns });
    return;
  }
  const set = await loadOrCreateSet({
    seed: SEED,
    cifarCount: CIFAR_COUNT,
    root: ROOT,
    onProgress: (done, total) => done % 100 === 0 && log(`  set: ${done}/${total}`),
  });
  log(`set: ${set.files.length} files in ${set.dir}`);
  const keeperRuns = METHODS.includes('keeper') ? await runKeeper(set.files, set.dir) : [];
  const cacheDir = path.join(set.dir, 'cache');
  const results: MethodResult[] = [];
  let verifiedPresets: Record<NearPreset, MatchRule> | null = null;
  const wantsModel = METHODS.some((m) => m.startsWith('model-dup') || m === 'mnv2-b13-gap-cosine');
  const model = wantsModel ? await ShippedModel.open(HEAD) : null;
  try {
    for (const name of pairwise) {
      if (name === 'phash64') results.push(await scoreVectorMethod(phashMethod(), set.files, cacheDir));
      else if (name === 'model-dup') results.push(await scoreVectorMethod(modelDupMethod(model!), set.files, cacheDir));
      else if (name === 'model-dup-logits-cosine')
        results.push(await scoreVectorMethod(modelDupLogitsMethod(model!), set.files, cacheDir));
      else if (name === 'model-dup-verified') {
        const verified = await scoreVerifiedMethod(model!, set.files, cacheDir);
        results.push(verified.result);
        verifiedPresets ??= verified.presets;
      } else if (name === 'model-dup-verified-pixels') {
        const started = performance.now();
        const pictures = await BenchPictures.load(set.files);
        const strictPictures = pictures.stricter(STRICT_PIXEL_RULE, '-strict');
        strictPictures.readCache(cacheDir);
        log(
          `thumbnails for the pixel check in ${((performance.now() - started) / 1000).toFixed(0)} s; ${pictures.cachedVerdicts} + ${strictPictures.cachedVerdicts} verdicts kept from an earlier run`,
        );
        const verified = await scoreVerifiedMethod(model!, set.files, cacheDir, pictures);
        results.push(verified.result);
        // Very close: close's radius and cosine, and the strict pixel rule (the whole picture, lightly edited).
        const strict = await scoreVerifiedMethod(model!, set.files, cacheDir, strictPictures);
        results.push(strict.result);
        strictPictures.writeCache(cacheDir);
        verifiedPresets = withPixels(verified.presets, pictures.rule);
        verifiedPresets['very-close'] = { ...verified.presets.close, pixels: { ...STRICT_PIXEL_RULE } };
      } else if (name === 'mnv2-b13-gap-cosine')
        results.push(await scoreVectorMethod(b13GapCosineMethod(model!), set.files, cacheDir));
      else if (name === 'findimagedupes') {
        const result = scoreFindimagedupes(set.files, cacheDir);
        if (result) results.push(result);
      } else throw new Error(`unknown method ${name}`);
    }
  } finally {
    await model?.encoder.close();
  }
  if (results.length) printReport(results, set.files);
  printStress(stressRuns);
  printKeeper(keeperRuns);
  const modelResult = results.find((r) => r.name === 'model-dup');
  if (model && (modelResult || verifiedPresets))
    calibrate(modelResult, verifiedPresets, model.encoder.roles.dup?.entry.version);
  writeResults(started, { setDir: set.dir, files: set.files, results, stress: stressRuns, keeper: keeperRuns });
}

function writeResults(started: number, content: object): void {
  mkdirSync(path.dirname(OUT), { recursive: true });
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(OUT, JSON.stringify({ date: new Date().toISOString(), seed: SEED, seconds, ...content }, null, 1));
  log(`\nwrote ${OUT} (${seconds.toFixed(0)} s)`);
}

/** The presets calibrated on the pixel-checked sweep, each carrying the pixel rule it was measured with. */
function withPixels(presets: Record<NearPreset, MatchRule>, pixels: PixelRule): Record<NearPreset, MatchRule> {
  const entries = Object.entries(presets).map(([name, rule]) => [name, { ...rule, pixels: { ...pixels } }]);
  return Object.fromEntries(entries) as Record<NearPreset, MatchRule>;
}

/**
 * Threshold presets for the measured head by the rules in electron/search/duplicates/presets.ts: the verified rules
 * (`calibrateVerifiedPresets`) on the pixel-checked sweep when model-dup-verified-pixels ran, else on the
 * verified sweep when model-dup-verified ran, else radii alone (`calibratePresets`); `--write-presets` records them.
 */
function calibrate(
  result: MethodResult | undefined,
  verified: Record<NearPreset, MatchRule> | null,
  headVersion: string | undefined,
): void {
  const radii = result ? calibratePresets(result.sweep.standard) : null;
  if (radii) {
    log(
      `\npresets by radius alone for ${headVersion}: very-close ≤ ${radii['very-close']}, close ≤ ${radii.close}, loose ≤ ${radii.loose}`,
    );
  }
  if (verified) {
    log(
      `verified presets for ${headVersion}: very-close ${formatRule(verified['very-close'])}; close ${formatRule(verified.close)}; loose ${formatRule(verified.loose)}`,
    );
  }
  const presets = verified ?? radii;
  if (!process.argv.includes('--write-presets') || !headVersion || !presets) return;
  const manifest = readManifest();
  const id = manifest && Object.keys(manifest.heads).find((k) => manifest.heads[k].version === headVersion);
  if (!manifest || !id) throw new Error(`head ${headVersion} is not in the manifest`);
  const rule = verified ? 'calibrateVerifiedPresets' : 'calibratePresets';
  const calibratedOn = `bench:dedup seed ${SEED}, ${CIFAR_COUNT} CIFAR distractors, standard edits; rule ${rule} in electron/search/duplicates/presets.ts`;
  manifest.heads[id] = { ...manifest.heads[id], presets: { ...presets, calibratedOn } };
  writeManifest(manifest);
  log(`wrote the presets of head ${id} into model/artifacts/manifest.json`);
}

await main();
