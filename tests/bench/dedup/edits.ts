/**
 * The edits that make a photo's copies: each starts from the upright decoded original (EXIF applied,
 * full resolution) and returns the bytes of the edited file. Pixels go in and out through
 * model/image/decode.ts (decodeImage / encodeImage); only the editing operations the adapter does not offer
 * (resize, crop, colour, blur, overlay, rotation) use sharp directly.
 */
import sharp, { type Sharp } from 'sharp';
import { encodeImage } from '../../../model/image/decode.js';
import type { RawImage } from '../../../model/types.js';
import type { Random } from '../../../training/compute/rng.js';

/** `standard`: a duplicate any dedup should find; `geometric`: needs rotation/mirror matching (reported separately). */
export type EditGroup = 'standard' | 'geometric';

export interface EditResult {
  bytes: Buffer;
  extension: 'jpg' | 'png' | 'webp';
  /** Parameters drawn from the seed (angle, offset…), recorded in the manifest. */
  detail?: string;
}

export interface Edit {
  name: string;
  group: EditGroup;
  apply(original: RawImage, random: Random): Promise<EditResult>;
}

const JPEG_QUALITY = 90;

function fromRaw(image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

async function toJpeg(pipeline: Sharp, detail?: string): Promise<EditResult> {
  return { bytes: await pipeline.jpeg({ quality: JPEG_QUALITY }).toBuffer(), extension: 'jpg', detail };
}

/** Keeps `fraction` of the width and height, the window's top-left corner at (fx, fy) of the slack. */
function crop(image: RawImage, fraction: number, fx: number, fy: number): Sharp {
  const width = Math.round(image.width * fraction);
  const height = Math.round(image.height * fraction);
  const left = Math.round((image.width - width) * fx);
  const top = Math.round((image.height - height) * fy);
  return fromRaw(image).extract({ left, top, width, height });
}

function resize(fraction: number): Edit {
  return {
    name: `resize ${fraction * 100}%`,
    group: 'standard',
    apply: (image) => toJpeg(fromRaw(image).resize(Math.max(1, Math.round(image.width * fraction)))),
  };
}

function recompress(quality: number): Edit {
  return {
    name: `JPEG q${quality}`,
    group: 'standard',
    apply: async (image) => ({ bytes: await encodeImage(image, 'jpeg', { quality }), extension: 'jpg' }),
  };
}

function centreCrop(fraction: number): Edit {
  return {
    name: `crop ${Math.round((1 - fraction) * 100)}% centre`,
    group: 'standard',
    apply: (image) => toJpeg(crop(image, fraction, 0.5, 0.5)),
  };
}

/** The window sits in a corner drawn from the seed, plus jitter: the worst case for centred descriptors. */
function offCentreCrop(fraction: number): Edit {
  return {
    name: `crop ${Math.round((1 - fraction) * 100)}% off-centre`,
    group: 'standard',
    apply: (image, random) => {
      const fx = random.int(2) === 0 ? 0.1 * random.next() : 1 - 0.1 * random.next();
      const fy = random.int(2) === 0 ? 0.1 * random.next() : 1 - 0.1 * random.next();
      return toJpeg(crop(image, fraction, fx, fy), `window at (${fx.toFixed(2)}, ${fy.toFixed(2)}) of the slack`);
    },
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Semi-transparent text in the lower right, sized to the picture, as stock sites and phone apps do. */
async function watermark(image: RawImage): Promise<EditResult> {
  const fontSize = Math.round(image.width * 0.06);
  const text = escapeXml('© Lookalike 2026');
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">` +
      `<text x="${image.width - fontSize * 0.5}" y="${image.height - fontSize * 0.6}" text-anchor="end" ` +
      `font-family="sans-serif" font-weight="bold" font-size="${fontSize}" fill="white" fill-opacity="0.7" ` +
      `stroke="black" stroke-opacity="0.5" stroke-width="${Math.max(1, fontSize / 20)}">${text}</text></svg>`,
  );
  return toJpeg(fromRaw(image).composite([{ input: svg, top: 0, left: 0 }]));
}

/** Rotates pixels clockwise by a multiple of 90° (what the EXIF tag must then undo). */
async function rotatedPixels(image: RawImage, degrees: 90 | 180 | 270): Promise<RawImage> {
  const { data, info } = await fromRaw(image).rotate(degrees).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: image.channels };
}

/** EXIF tag → how the stored pixels are turned so that applying the tag gives the upright original. */
const STORED_ROTATION_FOR_TAG = { 3: 180, 6: 270, 8: 90 } as const;

export const EDITS: readonly Edit[] = [
  resize(0.5),
  resize(0.25),
  recompress(50),
  recompress(70),
  {
    name: 'PNG',
    group: 'standard',
    apply: async (image) => ({ bytes: await encodeImage(image, 'png'), extension: 'png' }),
  },
  {
    name: 'WebP q80',
    group: 'standard',
    apply: async (image) => ({ bytes: await encodeImage(image, 'webp', { quality: 80 }), extension: 'webp' }),
  },
  {
    name: 'EXIF orientation',
    group: 'standard',
    apply: async (image, random) => {
      const tag = ([3, 6, 8] as const)[random.int(3)];
      const stored = await rotatedPixels(image, STORED_ROTATION_FOR_TAG[tag]);
      const bytes = await encodeImage(stored, 'jpeg', { quality: JPEG_QUALITY, orientation: tag });
      return { bytes, extension: 'jpg', detail: `pixels turned, EXIF orientation ${tag}` };
    },
  },
  centreCrop(0.9),
  centreCrop(0.8),
  offCentreCrop(0.9),
  offCentreCrop(0.8),
  {
    name: 'brightness',
    group: 'standard',
    apply: (image, random) => {
      const factor = random.int(2) === 0 ? 0.7 : 1.3;
      return toJpeg(fromRaw(image).modulate({ brightness: factor }), `×${factor}`);
    },
  },
  {
    name: 'contrast',
    group: 'standard',
    apply: (image, random) => {
      const gain = random.int(2) === 0 ? 0.7 : 1.4;
      return toJpeg(fromRaw(image).linear(gain, 128 * (1 - gain)), `gain ${gain} about mid-grey`);
    },
  },
  {
    name: 'saturation',
    group: 'standard',
    apply: (image, random) => {
      const factor = random.int(2) === 0 ? 0.5 : 1.6;
      return toJpeg(fromRaw(image).modulate({ saturation: factor }), `×${factor}`);
    },
  },
  { name: 'greyscale', group: 'standard', apply: (image) => toJpeg(fromRaw(image).greyscale()) },
  {
    name: 'blur',
    group: 'standard',
    // σ scales with the picture so a 2560 px wallpaper is as visibly blurred as a 512 px image.
    apply: (image) => {
      const sigma = Math.max(1.5, Math.max(image.width, image.height) / 400);
      return toJpeg(fromRaw(image).blur(sigma), `σ ${sigma.toFixed(1)} px`);
    },
  },
  { name: 'watermark', group: 'standard', apply: watermark },
  {
    name: 'border',
    group: 'standard',
    apply: (image) => {
      const pad = Math.round(0.06 * Math.max(image.width, image.height));
      const white = { r: 255, g: 255, b: 255 };
      return toJpeg(fromRaw(image).extend({ top: pad, bottom: pad, left: pad, right: pad, background: white }));
    },
  },
  {
    name: 'letterbox',
    group: 'standard',
    apply: (image) => {
      const bar = Math.round(0.12 * image.height);
      const black = { r: 0, g: 0, b: 0 };
      return toJpeg(fromRaw(image).extend({ top: bar, bottom: bar, background: black }), `black bars 12% of height`);
    },
  },
  {
    name: 'rotate 3–5°',
    group: 'standard',
    apply: async (image, random) => {
      const angle = (random.int(2) === 0 ? -1 : 1) * (3 + 2 * random.next());
      // Rotate on an expanded canvas, then cut the original size from the middle (black corners stay).
      const { data, info } = await fromRaw(image)
        .rotate(angle, { background: { r: 0, g: 0, b: 0 } })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const left = Math.floor((info.width - image.width) / 2);
      const top = Math.floor((info.height - image.height) / 2);
      const turned = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
      return toJpeg(turned.extract({ left, top, width: image.width, height: image.height }), `${angle.toFixed(1)}°`);
    },
  },
  { name: 'rotate 90°', group: 'geometric', apply: (image) => toJpeg(fromRaw(image).rotate(90)) },
  { name: 'rotate 180°', group: 'geometric', apply: (image) => toJpeg(fromRaw(image).rotate(180)) },
  { name: 'rotate 270°', group: 'geometric', apply: (image) => toJpeg(fromRaw(image).rotate(270)) },
  { name: 'mirror', group: 'geometric', apply: (image) => toJpeg(fromRaw(image).flop()) },
];
