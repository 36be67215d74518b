import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hammingDistance64 } from './methods.js';
import { lowFrequencyDct, phash64, PHASH_SIZE } from './phash.js';

/** A smooth photo-like test picture: gradients and blobs whose layout depends on `seed`. */
async function picture(seed: number, width = 480, height = 320): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  const blobs = Array.from({ length: 6 }, (_, i) => ({
    x: ((seed * 97 + i * 53) % 100) / 100,
    y: ((seed * 31 + i * 71) % 100) / 100,
    r: 0.1 + ((seed * 13 + i * 17) % 20) / 100,
    c: [(seed * 40 + i * 90) % 256, (seed * 70 + i * 30) % 256, (seed * 20 + i * 150) % 256],
  }));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const px = [((x / width) * 255 * (seed % 3)) % 256, (y / height) * 255, 128];
      for (const b of blobs) {
        const d = Math.hypot(x / width - b.x, y / height - b.y);
        if (d < b.r) for (let c = 0; c < 3; c++) px[c] = b.c[c];
      }
      data.set(px.map(Math.round), (y * width + x) * 3);
    }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

describe('phash64', () => {
  it('gives identical images distance 0', async () => {
    const image = await picture(1);
    expect(hammingDistance64(await phash64(image), await phash64(Buffer.from(image)))).toBe(0);
  });

  it('keeps a resized, recompressed copy close', async () => {
    const image = await picture(2);
    const copy = await sharp(image).resize(160).jpeg({ quality: 70 }).toBuffer();
    expect(hammingDistance64(await phash64(image), await phash64(copy))).toBeLessThanOrEqual(6);
  });

  it('puts different images about half the bits apart', async () => {
    const codes = await Promise.all([1, 2, 3, 4, 5, 6].map(async (seed) => phash64(await picture(seed))));
    const distances: number[] = [];
    for (let a = 0; a < codes.length; a++)
      for (let b = a + 1; b < codes.length; b++) distances.push(hammingDistance64(codes[a], codes[b]));
    const mean = distances.reduce((s, d) => s + d, 0) / distances.length;
    expect(mean).toBeGreaterThan(20);
    expect(mean).toBeLessThan(44);
    expect(Math.min(...distances)).toBeGreaterThan(8);
  });

  it('applies EXIF orientation before hashing', async () => {
    const image = await picture(3);
    // Stored turned 90° counter-clockwise with the tag (6) that turns it back.
    const stored = await sharp(image).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const upright = await sharp(image).jpeg({ quality: 95 }).toBuffer();
    expect(hammingDistance64(await phash64(upright), await phash64(stored))).toBeLessThanOrEqual(4);
  });

  it('computes the DCT of a constant image as DC only', () => {
    const coefficients = lowFrequencyDct(new Float64Array(PHASH_SIZE * PHASH_SIZE).fill(10));
    expect(coefficients[0]).toBeCloseTo(10 * PHASH_SIZE * PHASH_SIZE, 6);
    for (let i = 1; i < 64; i++) expect(Math.abs(coefficients[i])).toBeLessThan(1e-9);
  });
});
