import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { decodeImage, encodeImage } from '../../model/image/decode.js';
import { EDIT_KINDS, makeCopy, sourceWindows, wallpaperFilesIn } from './duplicate-data.js';
import { createRandom } from '../compute/rng.js';
import { tempDir } from '../../tests/helpers/temp-dir.js';

const photo = syntheticPhoto({ width: 300, height: 200, seed: 3 });

describe('duplicate training data', () => {
  it('windows are 40–70 % of each side, inside the picture, and overlap each other by IoU < 0.2', () => {
    const windows = sourceWindows(8, createRandom(5));
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const w of windows) {
      expect(w.w).toBeGreaterThanOrEqual(0.4);
      expect(w.w).toBeLessThanOrEqual(0.7);
      expect(w.h).toBeGreaterThanOrEqual(0.4);
      expect(w.h).toBeLessThanOrEqual(0.7);
      expect(w.x + w.w).toBeLessThanOrEqual(1);
      expect(w.y + w.h).toBeLessThanOrEqual(1);
    }
    for (let i = 0; i < windows.length; i++)
      for (let j = i + 1; j < windows.length; j++) {
        const [a, b] = [windows[i], windows[j]];
        const iw = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
        const ih = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
        expect((iw * ih) / (a.w * a.h + b.w * b.h - iw * ih)).toBeLessThan(0.2);
      }
  });

  it('every edit kind makes a decodable copy that keeps most of the picture', async () => {
    const random = createRandom(11);
    for (const kind of EDIT_KINDS) {
      const copy = await makeCopy(photo, kind, random);
      const decoded = await decodeImage(copy.bytes, { channels: 3 });
      expect(copy.kind).toBe(kind);
      // Crops keep ≥ 78 % of each side (then maybe a 92 % secondary crop); borders add ≤ 20 %.
      const aspect = decoded.width / decoded.height;
      expect(aspect, kind).toBeGreaterThan(1.1);
      expect(aspect, kind).toBeLessThan(2.2);
    }
  });

  it('the same seed makes the same copies', async () => {
    const a = await makeCopy(photo, 'watermark', createRandom(2));
    const b = await makeCopy(photo, 'watermark', createRandom(2));
    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
  });

  it('wallpaper listing keeps one file per picture and leaves out excluded pictures and their folder', async () => {
    const root = tempDir('wallpapers');
    const big = await encodeImage(syntheticPhoto({ width: 400, height: 300, seed: 1, noise: 40 }), 'png');
    const other = await encodeImage(syntheticPhoto({ width: 400, height: 300, seed: 2, noise: 40 }), 'png');
    const small = await encodeImage(syntheticPhoto({ width: 200, height: 150, seed: 1, noise: 40 }), 'png');
    const bench = await encodeImage(syntheticPhoto({ width: 300, height: 300, seed: 9, noise: 40 }), 'png');
    const files: Record<string, Buffer> = {
      'wallpapers/Kay/contents/images/5120x2880.png': big,
      'wallpapers/Kay/contents/images/1080x1920.png': small,
      'wallpapers/Kay/contents/images_dark/5120x2880.png': other,
      'backgrounds/gnome/wood-l.png': other,
      'backgrounds/gnome/wood-d.png': big,
      'backgrounds/mate/nature/Bench.png': bench,
      'backgrounds/mate/nature/Other.png': other,
    };
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), bytes);
    }
    const excluded = path.join(root, 'bench.png');
    await writeFile(excluded, bench);
    const listed = wallpaperFilesIn([path.join(root, 'backgrounds'), path.join(root, 'wallpapers')], [excluded], 0);
    expect(listed.map((f) => path.relative(root, f))).toEqual([
      'backgrounds/gnome/wood-l.png',
      'wallpapers/Kay/contents/images/5120x2880.png',
    ]);
  });
});
