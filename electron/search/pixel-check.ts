/**
 * The pixel check of candidate duplicate pairs, the last step of a duplicate search with a preset that asks for
 * it: each pair's stored thumbnails (WebP, long side 256) are decoded, aligned and compared
 * (electron/search/alignment.ts). It is what tells a lightly cropped or recoloured copy from a 70 % window of
 * the same photo or the other half of a stereo pair, which codes and embeddings, being pooled, cannot.
 *
 * Pairs are prepared in one pass before grouping (thumbnails decoded through model/image.ts, a few in
 * flight; pairs checked in chunks so the event loop, progress and cancellation keep going); grouping then
 * asks for verdicts synchronously. A photo without a stored thumbnail (or one that no longer decodes) cannot be
 * checked, and its pairs are judged by the code and embedding alone, as before the check existed.
 */
import { decodeImage } from '../../model/image.js';
import { orientPixels, type Orientation } from '../../model/orientation.js';
import type { RawImage } from '../../model/types.js';
import { type AlignablePicture, type PixelRule, pictureOf, picturesMatch } from './alignment.js';

/** Photo `id` turned as EXIF `orientation` asks (1: upright), to be compared with photo `other` upright. */
export interface PixelPair {
  id: number;
  orientation: number;
  other: number;
}

export interface PixelCheckOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const DECODES_IN_FLIGHT = 4;
/** ~10 ms a pair: the event loop gets a turn every ~0.1 s. */
const PAIRS_PER_CHUNK = 8;

/** Orientations 2..8 turn the picture; anything else (1, the greyscale variant) compares it upright. */
function turn(orientation: number): Orientation {
  return orientation >= 2 && orientation <= 8 ? (orientation as Orientation) : 1;
}

export class PixelCheck {
  /** Pictures by `id:orientation`; null: no thumbnail to check with. */
  private readonly pictures = new Map<string, AlignablePicture | null>();

  /**
   * @param verdicts where verdicts are kept (by `id:orientation:other`), so a search that follows on the same
   *   library and rule reuses them
   */
  constructor(
    private readonly rule: PixelRule,
    private readonly thumbnail: (id: number) => Uint8Array | undefined,
    private readonly verdicts: Map<string, boolean> = new Map(),
  ) {}

  /** Decodes the thumbnails the pairs need, then checks every pair not checked before. */
  async prepare(pairs: readonly PixelPair[], options: PixelCheckOptions = {}): Promise<void> {
    // A pair often comes more than once (its own codes, and its greyscale variant's either way): check it once.
    const keys = new Set<string>();
    const todo = pairs.filter((p) => {
      const key = verdictKey(p);
      if (this.verdicts.has(key) || keys.has(key)) return false;
      keys.add(key);
      return true;
    });
    const turns = new Map<number, Set<Orientation>>();
    const need = (id: number, orientation: Orientation) => {
      if (this.pictures.has(`${id}:${orientation}`)) return;
      const set = turns.get(id) ?? new Set<Orientation>();
      set.add(orientation);
      turns.set(id, set);
    };
    for (const p of todo) {
      need(p.id, turn(p.orientation));
      need(p.other, 1);
    }
    const ids = [...turns.keys()];
    let next = 0;
    const decodeNext = async (): Promise<void> => {
      while (next < ids.length) {
        options.signal?.throwIfAborted();
        const id = ids[next++];
        const image = await this.decode(id);
        for (const o of turns.get(id)!) {
          this.pictures.set(`${id}:${o}`, image && pictureOf(o === 1 ? image : orientPixels(image, o)));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DECODES_IN_FLIGHT, ids.length) }, decodeNext));

    for (let i = 0; i < todo.length; i++) {
      if (i % PAIRS_PER_CHUNK === 0) {
        options.signal?.throwIfAborted();
        options.onProgress?.(i, todo.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
      this.matches(todo[i].id, todo[i].orientation, todo[i].other);
    }
    options.onProgress?.(todo.length, todo.length);
  }

  /**
   * Whether photo `id` (turned by `orientation`) and photo `other` are one picture by the rule: the kept verdict,
   * else checked now from pictures prepared before; true when either photo has no picture to check with.
   */
  matches(id: number, orientation: number, other: number): boolean {
    const key = verdictKey({ id, orientation, other });
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    const a = this.pictures.get(`${id}:${turn(orientation)}`);
    const b = this.pictures.get(`${other}:1`);
    if (!a || !b) return true;
    const verdict = picturesMatch(a, b, this.rule);
    this.verdicts.set(key, verdict);
    return verdict;
  }

  private async decode(id: number): Promise<RawImage | null> {
    const webp = this.thumbnail(id);
    if (!webp) return null;
    try {
      return await decodeImage(webp, { channels: 3 });
    } catch {
      return null; // a damaged thumbnail: the pair is judged without pixels
    }
  }
}

/** Upright pairs are unordered: (a, b) and (b, a) share a verdict. */
function verdictKey(p: PixelPair): string {
  const o = turn(p.orientation);
  return o === 1 ? `${Math.min(p.id, p.other)}:1:${Math.max(p.id, p.other)}` : `${p.id}:${o}:${p.other}`;
}
