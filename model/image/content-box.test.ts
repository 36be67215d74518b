import { describe, expect, it } from 'vitest';
import { contentBox, contentFraction } from './content-box.js';
import { syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';
import { decodeForCatalog, decodeImage, encodeImage } from './decode.js';
import type { RawImage } from '../types.js';

/** `image` inside bars of `colour`: `top`, `bottom`, `left`, `right` pixels wide. */
function withBorder(
  image: RawImage,
  sides: { top?: number; bottom?: number; left?: number; right?: number },
  colour: [number, number, number],
): RawImage {
  const { top = 0, bottom = 0, left = 0, right = 0 } = sides;
  const width = image.width + left + right;
  const height = image.height + top + bottom;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(colour, p * 3);
  for (let y = 0; y < image.height; y++) {
    const row = image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3);
    data.set(row, ((y + top) * width + left) * 3);
  }
  return { data, width, height, channels: 3 };
}

function solid(width: number, height: number, colour: [number, number, number]): RawImage {
  return withBorder(
    { data: new Uint8Array(0), width: 0, height: 0, channels: 3 },
    { right: width, bottom: height },
    colour,
  );
}

const WHITE: [number, number, number] = [255, 255, 255];
const BLACK: [number, number, number] = [0, 0, 0];

describe('contentBox', () => {
  const photo = syntheticPhoto({ width: 160, height: 120, seed: 11 });

  it('is the whole picture when there is no border', () => {
    expect(contentBox(photo)).toEqual({ left: 0, top: 0, width: 160, height: 120 });
    expect(contentFraction(photo)).toEqual({ width: 1, height: 1 });
  });

  it('trims a white frame', () => {
    const framed = withBorder(photo, { top: 12, bottom: 12, left: 20, right: 20 }, WHITE);
    // Each border found is trimmed 2 px deeper (the seam: 1 % of the side, at least 2 px).
    expect(contentBox(framed)).toEqual({ left: 22, top: 14, width: 156, height: 116 });
  });

  it('trims black letterbox bars and pillarbox bars', () => {
    const letterboxed = withBorder(photo, { top: 30, bottom: 30 }, BLACK);
    expect(contentBox(letterboxed)).toEqual({ left: 0, top: 32, width: 160, height: 116 });
    const pillarboxed = withBorder(photo, { left: 25, right: 15 }, BLACK);
    expect(contentBox(pillarboxed)).toEqual({ left: 27, top: 0, width: 156, height: 120 });
  });

  it('trims nested bands pass by pass, so a framed copy of a picture with its own dark edge measures no larger', () => {
    // Like a fundus photo: the picture sits on black; the copy adds a white frame around that.
    const original = withBorder(photo, { top: 10, bottom: 10, left: 10, right: 10 }, BLACK);
    const framed = withBorder(original, { top: 15, bottom: 15, left: 15, right: 15 }, WHITE);
    const a = contentBox(original);
    const b = contentBox(framed);
    expect(a).toEqual({ left: 12, top: 12, width: 156, height: 116 });
    expect(b.width * b.height).toBeLessThanOrEqual(a.width * a.height);
    expect(b.width).toBeGreaterThan(150); // the picture itself is not eaten
  });

  it('does not trim a mostly uniform picture below half of a side', () => {
    // A white wall with a small picture on it: the "border" would leave a quarter of each side.
    const wall = withBorder(
      syntheticPhoto({ width: 40, height: 30, seed: 3 }),
      { top: 45, bottom: 45, left: 60, right: 60 },
      WHITE,
    );
    expect(contentBox(wall)).toEqual({ left: 0, top: 0, width: 160, height: 120 });
    expect(contentBox(solid(50, 40, [120, 160, 200]))).toEqual({ left: 0, top: 0, width: 50, height: 40 });
    // The cap holds per axis: wide bars still trim when the other axis is capped.
    const bars = withBorder(
      syntheticPhoto({ width: 40, height: 100, seed: 5 }),
      { left: 60, right: 60, top: 10, bottom: 10 },
      BLACK,
    );
    expect(contentBox(bars)).toEqual({ left: 0, top: 12, width: 160, height: 96 });
  });

  it('measures a JPEG-compressed frame no larger than the picture inside it, from the catalog decode', async () => {
    const big = syntheticPhoto({ width: 800, height: 600, seed: 21 });
    const framed = withBorder(big, { top: 100, bottom: 100, left: 100, right: 100 }, WHITE);
    const jpeg = await encodeImage(framed, 'jpeg', { quality: 90 });
    // Ringing blurs the seam; the measured content is never larger than the picture, and not much smaller.
    const box = contentBox(await decodeImage(jpeg));
    expect(box.width).toBeLessThanOrEqual(800);
    expect(box.width).toBeGreaterThanOrEqual(760);
    expect(box.height).toBeLessThanOrEqual(600);
    expect(box.height).toBeGreaterThanOrEqual(570);
    // The catalog measures the share of each side on its small decode (here 512×410).
    const { content } = await decodeForCatalog(jpeg);
    expect(content.width * 1000).toBeLessThanOrEqual(800);
    expect(content.width * 1000).toBeGreaterThanOrEqual(760);
    expect(content.height * 800).toBeLessThanOrEqual(600);
    expect(content.height * 800).toBeGreaterThanOrEqual(570);
    const plain = await decodeForCatalog(await encodeImage(big, 'jpeg', { quality: 90 }));
    expect(plain.content).toEqual({ width: 1, height: 1 });
  });
});
