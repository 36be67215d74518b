import { describe, expect, it } from 'vitest';
import { syntheticPhoto } from '../../../tests/helpers/synthetic-photo.js';
import type { RawImage } from '../../../model/types.js';
import { chooseKeeper, type KeepCandidate } from './keep.js';
import { type EnlargementTest, MEASURED_HERE, markApart, sampleOf, settleKeepFacts } from './keep-facts.js';

const photo = syntheticPhoto({ width: 256, height: 192, seed: 5 });

/** `image` with every value changed by `f` (value, pixel index, channel). */
function mapPixels(image: RawImage, f: (v: number, pixel: number, channel: number) => number): RawImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.max(0, Math.min(255, Math.round(f(image.data[i], Math.floor(i / 3), i % 3))));
  }
  return { ...image, data };
}

const noisy = (seed: number) => mapPixels(photo, (v, p, c) => v + (((p * 7 + c * 13 + seed * 31) % 9) - 4));
const brighter = mapPixels(photo, (v) => v * 1.3);
/** White letters over a strip in the lower right, as a watermark (about 4 % of the picture). */
const watermarked = mapPixels(photo, (v, p) => {
  const [x, y] = [p % photo.width, Math.floor(p / photo.width)];
  return x > 150 && x < 250 && y > 160 && y < 180 && (x >> 2) % 2 === 0 ? 255 : v;
});

function copy(name: string, image: RawImage | null, extra: Partial<KeepCandidate> = {}): KeepCandidate {
  return {
    id: name.length * 1000 + name.charCodeAt(0),
    path: `/photos/${name}`,
    width: 512,
    height: 384,
    bytes: 100_000,
    takenAt: null,
    sample: image ? sampleOf(image) : null,
    ...extra,
  };
}

describe('copies that differ from what their group shares', () => {
  it('sets apart a watermarked and a brightened copy among faithful re-saves', () => {
    const members = [
      copy('a.jpg', watermarked),
      copy('b.jpg', brighter),
      copy('c.png', photo),
      copy('d.jpg', noisy(1)),
    ];
    markApart(members);
    expect(members.map((f) => f.apart)).toEqual([true, true, false, false]);
  });

  it('sets apart a copy edited all over among three, and tells no more of the two left', () => {
    // A watermark and a faithful copy differ in one corner only: which of them carries the edit, nothing tells.
    const members = [copy('a.jpg', watermarked), copy('b.jpg', brighter), copy('c.jpg', noisy(2))];
    markApart(members);
    expect(members.map((f) => f.apart)).toEqual([false, true, false]);
  });

  it('counts identical pictures once, so two copies of one edit do not outvote the rest', () => {
    const members = [
      copy('a.jpg', brighter),
      copy('a copy.jpg', brighter),
      copy('c.jpg', photo),
      copy('d.jpg', noisy(3)),
    ];
    markApart(members);
    expect(members.map((f) => f.apart)).toEqual([true, true, false, false]);
  });

  it('tells nothing about a pair, a group without pictures, or faithful copies alone', () => {
    const pair = [copy('a.jpg', photo), copy('b.jpg', brighter)];
    markApart(pair);
    expect(pair.map((f) => f.apart)).toEqual([null, null]);
    const unread = [copy('a.jpg', null), copy('b.jpg', photo), copy('c.jpg', brighter)];
    markApart(unread);
    expect(unread.map((f) => f.apart)).toEqual([null, null, null]);
    const faithful = [copy('a.jpg', photo), copy('b.jpg', noisy(4)), copy('c.jpg', noisy(5))];
    markApart(faithful);
    expect(faithful.map((f) => f.apart)).toEqual([false, false, false]);
  });

  it('keeps a faithful copy over a watermarked one of a larger file when nothing earlier tells', () => {
    const members = [
      copy('a.jpg', watermarked, { bytes: 300_000 }),
      copy('b.jpg', photo),
      copy('c.jpg', brighter),
      copy('d.jpg', noisy(6)),
    ];
    markApart(members);
    expect(['/photos/b.jpg', '/photos/d.jpg']).toContain(chooseKeeper(members).path);
  });
});

describe('settling which copies are enlargements', () => {
  const day = 86_400_000;
  /** An enlargement test from a table of verdicts: `large>small` → true (enlarged) or false (holds more). */
  const verdicts =
    (table: Record<string, boolean>): EnlargementTest =>
    async (large, small) =>
      table[`${large.path.slice(8)}>${small.path.slice(8)}`] ?? null;

  it('lets a copy of one size that holds more detail settle that size for a soft original', async () => {
    // cell.png of the dedup set: the soft original looks enlarged from its half-size copy, its re-save (JPEG
    // blocks) does not; the original must then count its own pixels and win on its date.
    const members = [
      copy('cell.png', photo, { mtimeMs: 0 }),
      copy('cell_half.jpg', photo, { width: 256, height: 192, mtimeMs: day }),
      copy('cell_resaved.jpg', photo, { mtimeMs: day }),
    ];
    await settleKeepFacts(members, undefined, {
      ...MEASURED_HERE,
      isEnlargement: verdicts({ 'cell.png>cell_half.jpg': true, 'cell_resaved.jpg>cell_half.jpg': false }),
    });
    expect(members[0]).toMatchObject({ enlarged: true, detailPixels: null });
    expect(chooseKeeper(members).path).toBe('/photos/cell.png');
  });

  it('tries the lossless copy before lossy ones when testing an enlargement', async () => {
    // Copies alone (the original missing): the 2× enlargement holds more than the JPEG re-saves, not more than
    // the PNG that keeps the original's pixels.
    const members = [
      copy('big.jpg', photo, { width: 1024, height: 768, jpegQuality: 95 }),
      copy('exif.jpg', photo, { jpegQuality: 90 }),
      copy('png.png', photo, { format: 'png' }),
      copy('q70.jpg', photo, { jpegQuality: 70 }),
    ];
    await settleKeepFacts(members, undefined, {
      ...MEASURED_HERE,
      isEnlargement: verdicts({ 'big.jpg>exif.jpg': false, 'big.jpg>q70.jpg': false, 'big.jpg>png.png': true }),
    });
    expect(members[0]).toMatchObject({ enlarged: true, detailPixels: 512 * 384 });
    expect(chooseKeeper(members).path).not.toBe('/photos/big.jpg');
  });
});
