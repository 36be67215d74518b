import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseHeifHeader, sniffFormat, SUPPORTED_EXTENSIONS } from './formats.js';
import { seededRandom, syntheticPhoto } from '../../tests/helpers/synthetic-photo.js';

const fixtures = new URL('../../tests/fixtures/', import.meta.url).pathname;

function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const brands = [major, '\0\0\0\0', ...compatible].join('');
  const box = Buffer.alloc(8 + brands.length);
  box.writeUInt32BE(box.length, 0);
  box.write('ftyp' + brands, 4, 'latin1');
  return box;
}

describe('sniffFormat', () => {
  it('recognises containers by their bytes, not their names', () => {
    expect(sniffFormat(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), '.png')).toBe('jpeg');
    expect(sniffFormat(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'))).toBe('png');
    expect(sniffFormat(Buffer.from('GIF89a', 'latin1'))).toBe('gif');
    expect(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBe('webp');
    expect(sniffFormat(Buffer.from('BM\x36\0\0\0\0\0\0\0\x36\0\0\0', 'latin1'))).toBe('bmp');
    expect(sniffFormat(Buffer.from('hello, this is text', 'latin1'), '.jpg')).toBe('unknown');
  });

  it('tells HEIC from AVIF by ftyp brands, including mif1-major AVIFs', () => {
    expect(sniffFormat(ftyp('heic', 'mif1', 'heic'))).toBe('heic');
    expect(sniffFormat(ftyp('mif1', 'heic'))).toBe('heic');
    expect(sniffFormat(ftyp('msf1', 'hevc'))).toBe('heic');
    expect(sniffFormat(ftyp('avif', 'mif1'))).toBe('avif');
    expect(sniffFormat(ftyp('mif1', 'avif', 'miaf'))).toBe('avif');
    expect(sniffFormat(ftyp('isom', 'mp41'))).toBe('unknown'); // a video, not a photo
  });

  it('separates TIFF from TIFF-based RAW', () => {
    const tiffHead = Buffer.from('II*\0\x08\0\0\0\0\0', 'latin1');
    expect(sniffFormat(tiffHead, '.tif')).toBe('tiff');
    expect(sniffFormat(tiffHead, '.NEF')).toBe('raw');
    expect(sniffFormat(Buffer.from('II*\0\x10\0\0\0CR\x02\0', 'latin1'), '.tif')).toBe('raw');
    expect(sniffFormat(Buffer.from('IIRO\x08\0\0\0', 'latin1'))).toBe('raw');
    expect(sniffFormat(Buffer.from('IIU\0\x18\0\0\0', 'latin1'))).toBe('raw');
  });

  it('lists every format the scanner should offer', () => {
    for (const ext of [
      '.jpg',
      '.png',
      '.webp',
      '.avif',
      '.heic',
      '.heif',
      '.tif',
      '.gif',
      '.bmp',
      '.cr2',
      '.nef',
      '.dng',
    ]) {
      expect(SUPPORTED_EXTENSIONS).toContain(ext);
    }
  });
});

describe('parseHeifHeader', () => {
  it('reads size and rotation of the primary item', async () => {
    expect(parseHeifHeader(await readFile(fixtures + 'synthetic.heic'))).toMatchObject({
      width: 128,
      height: 96,
      rotation: 0,
    });
    expect(parseHeifHeader(await readFile(fixtures + 'synthetic-irot90.heic'))).toMatchObject({ rotation: 90 });
  });

  it('throws on a truncated header instead of reading out of bounds', async () => {
    const heic = await readFile(fixtures + 'synthetic.heic');
    expect(() => parseHeifHeader(heic.subarray(0, 60))).toThrow();
  });
});

describe('syntheticPhoto', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = syntheticPhoto({ width: 50, height: 40, seed: 1 });
    expect(syntheticPhoto({ width: 50, height: 40, seed: 1 })).toEqual(a);
    expect(syntheticPhoto({ width: 50, height: 40, seed: 2 }).data).not.toEqual(a.data);
    expect(seededRandom(3)()).toBe(seededRandom(3)());
  });
});
