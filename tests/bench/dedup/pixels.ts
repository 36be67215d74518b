/**
 * The pixel check as the app runs it (electron/search/pixels/alignment.ts), on the dedup set: every file's thumbnail
 * made as the scanner makes it (WebP, long side 256, `decodeForCatalog`), decoded again, and aligned with the
 * other file's. Orientation k of a file (tests/bench/dedup/dihedral.ts, the same turn its code k was encoded
 * with) turns its thumbnail first; the upright variants (k ≥ 8: greyscale, trimmed) use the upright one: the
 * check is grey and finds the picture inside a frame itself.
 *
 * Verdicts are kept in a file beside the set's encodings (`pixel-verdicts-<rule>.json`), valid while the
 * thumbnails, the rule and the alignment code are the same: a rerun checks only pairs it has not seen.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeForCatalog, decodeImage } from '../../../model/image/decode.js';
import type { RawImage } from '../../../model/types.js';
import {
  type AlignablePicture,
  DEFAULT_PIXEL_RULE,
  type PixelRule,
  pictureOf,
  picturesMatch,
} from '../../../electron/search/pixels/alignment.js';
import { ORIENTATION_COUNT, orient } from './dihedral.js';
import { mapLimit, type SetEntry } from './set.js';

/** The turn a code's orientation index stands for: the upright variants (k ≥ 8) are upright. */
function turnOf(k: number): number {
  return k >= ORIENTATION_COUNT ? 0 : k;
}

/** The source files whose change changes a verdict. */
const VERDICT_SOURCES = [
  '../../../electron/search/pixels/alignment.ts',
  '../../../electron/search/pixels/correlation.ts',
  '../../../electron/search/pixels/warp.ts',
  '../../../model/image/grey-resample.ts',
  '../../../model/image/content-box.ts',
  '../../../model/variants.ts',
].map((file) => fileURLToPath(new URL(file, import.meta.url)));

export class BenchPictures {
  private readonly pictures = new Map<string, AlignablePicture>();
  private readonly verdicts = new Map<string, boolean>();
  checks = 0;
  seconds = 0;
  /** Verdicts read from the cache file. */
  cachedVerdicts = 0;

  private constructor(
    private readonly thumbnails: RawImage[],
    readonly rule: PixelRule,
    /** A looser check this one refines: a pair must pass it first (its verdicts are reused). */
    private readonly base?: BenchPictures,
    /** Appended to the method's name in the report (`-strict`). */
    readonly label = '',
  ) {}

  /** The same thumbnails under a stricter rule: only pairs this rule passes are checked again. */
  stricter(rule: PixelRule, label: string): BenchPictures {
    return new BenchPictures(this.thumbnails, rule, this, label);
  }

  static async load(entries: SetEntry[], rule: PixelRule = DEFAULT_PIXEL_RULE): Promise<BenchPictures> {
    const thumbnails = await mapLimit(entries, 4, async (e) => {
      const { thumbnail } = await decodeForCatalog(e.file);
      return decodeImage(thumbnail, { channels: 3 });
    });
    return new BenchPictures(thumbnails, rule);
  }

  /** What the verdicts depend on: the thumbnails' pixels, the rule and the alignment code. */
  private cacheKey(): string {
    const hash = createHash('sha256');
    for (const t of this.thumbnails) {
      hash.update(`${t.width}x${t.height}x${t.channels};`);
      hash.update(t.data);
    }
    for (const file of VERDICT_SOURCES) hash.update(readFileSync(file));
    hash.update(JSON.stringify(this.rule));
    return hash.digest('hex');
  }

  private cacheFile(dir: string): string {
    return path.join(dir, `pixel-verdicts-${Object.values(this.rule).join('-')}.json`);
  }

  /** Reads verdicts kept in `dir` by an earlier run with the same thumbnails, rule and code (and the base's). */
  readCache(dir: string): void {
    this.base?.readCache(dir);
    const file = this.cacheFile(dir);
    if (!existsSync(file)) return;
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { key: string; passed: string[]; failed: string[] };
    if (kept.key !== this.cacheKey()) return;
    for (const pair of kept.passed) this.verdicts.set(pair, true);
    for (const pair of kept.failed) this.verdicts.set(pair, false);
    this.cachedVerdicts = kept.passed.length + kept.failed.length;
  }

  /** Keeps every verdict so far in `dir` (and the base's). */
  writeCache(dir: string): void {
    this.base?.writeCache(dir);
    mkdirSync(dir, { recursive: true });
    const passed: string[] = [];
    const failed: string[] = [];
    for (const [pair, verdict] of this.verdicts) (verdict ? passed : failed).push(pair);
    writeFileSync(this.cacheFile(dir), JSON.stringify({ key: this.cacheKey(), passed, failed }));
  }

  private picture(id: number, k: number): AlignablePicture {
    if (this.base) return this.base.picture(id, k);
    const turn = turnOf(k);
    const key = `${id}:${turn}`;
    let p = this.pictures.get(key);
    if (!p) {
      p = pictureOf(turn === 0 ? this.thumbnails[id] : orient(this.thumbnails[id], turn));
      this.pictures.set(key, p);
    }
    return p;
  }

  /** Whether file a in orientation ka and file b in orientation kb are the same picture (cached). */
  match(a: number, ka: number, b: number, kb: number): boolean {
    const key = `${a}:${turnOf(ka)}:${b}:${turnOf(kb)}`;
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      if (this.base && !this.base.match(a, ka, b, kb)) {
        this.verdicts.set(key, false);
        return false;
      }
      const started = performance.now();
      verdict = picturesMatch(this.picture(a, ka), this.picture(b, kb), this.rule);
      this.seconds += (performance.now() - started) / 1000;
      this.checks++;
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }
}
