import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../electron/core/app.js';
import { averageHashEncoder } from '../helpers/fixture-encoder.js';
import { syntheticPhoto } from '../helpers/synthetic-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

// The codes and the pixel check see an animation's first frame only: an animated GIF made from a photo looks
// like a copy of it, but holds more, and moving it to the trash as an "extra" copy would lose its other frames.
let app: App | undefined;
afterEach(() => app?.close());

const [WIDTH, HEIGHT] = [480, 360];
const frame = (seed: number) =>
  sharp(syntheticPhoto({ width: WIDTH, height: HEIGHT, seed }).data, {
    raw: { width: WIDTH, height: HEIGHT, channels: 3 },
  });

/**
 * A folder with a two-frame animation (its first frame the photo of seed 91), the same animation saved again with
 * fewer colours, the photo as a JPEG and a smaller JPEG of it.
 */
async function library(label: string): Promise<{ dir: string; photos: string }> {
  const dir = tempDir(label);
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  const frames = await Promise.all([91, 92].map((seed) => frame(seed).png().toBuffer()));
  const animation = await sharp(frames, { join: { animated: true } })
    .gif({ delay: 500 })
    .toBuffer();
  writeFileSync(path.join(photos, 'clip.gif'), animation);
  await sharp(animation, { animated: true }).gif({ colours: 64 }).toFile(path.join(photos, 'clip-64-colours.gif'));
  await frame(91).jpeg({ quality: 92 }).toFile(path.join(photos, 'still.jpg'));
  await frame(91).resize(320).jpeg({ quality: 80 }).toFile(path.join(photos, 'still-small.jpg'));
  return { dir, photos };
}

async function groups(): Promise<string[][]> {
  const { groups } = await app!.dispatcher.call('dupes.find', { threshold: 'close' });
  return groups.map((g) => g.files.map((f) => path.basename(f.path)).sort()).sort();
}

describe('an animation and a still of its first frame', () => {
  it('are never copies of each other; copies of the animation are', async () => {
    const { dir, photos } = await library('animation');
    app = createApp({ dbPath: path.join(dir, 'library.db'), loadEncoder: async () => averageHashEncoder() });
    await app.dispatcher.call('scan.run', { folders: [photos] });
    expect(await groups()).toEqual([
      ['clip-64-colours.gif', 'clip.gif'],
      ['still-small.jpg', 'still.jpg'],
    ]);
    // Nor is the animation a copy of the still in "find similar" (copies come first, marked as copies).
    const { results } = await app.dispatcher.call('similar.find', { path: path.join(photos, 'still.jpg') });
    const copies = results.filter((r) => r.copy).map((r) => path.basename(r.path));
    expect(copies).toEqual(['still-small.jpg']);
  });

  it('are told apart in a library scanned before frames were counted, once it is scanned again', async () => {
    const { dir, photos } = await library('animation-old');
    const dbPath = path.join(dir, 'library.db');
    app = createApp({ dbPath, loadEncoder: async () => averageHashEncoder() });
    await app.dispatcher.call('scan.run', { folders: [photos] });
    app.close();
    // As a catalog made before schema 16 holds them: no frame counts.
    const db = new Database(dbPath);
    db.exec('UPDATE photos SET frames = NULL');
    db.close();
    app = createApp({ dbPath, loadEncoder: async () => averageHashEncoder() });
    // Unknown, every file counts as a still: the animations join the stills' group.
    expect(await groups()).toEqual([['clip-64-colours.gif', 'clip.gif', 'still-small.jpg', 'still.jpg']]);
    const scan = await app.dispatcher.call('scan.run', { folders: [photos] });
    expect(scan.reencoded).toBe(2); // the two GIFs, not the JPEGs
    expect(await groups()).toEqual([
      ['clip-64-colours.gif', 'clip.gif'],
      ['still-small.jpg', 'still.jpg'],
    ]);
  });
});
