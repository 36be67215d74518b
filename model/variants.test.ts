import { describe, expect, it } from 'vitest';
import { greyscalePixels, variantPixels } from './variants.js';

describe('greyscalePixels', () => {
  it('replaces each pixel by its rounded luma in all three channels', () => {
    const image = {
      data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
      width: 2,
      height: 2,
      channels: 3 as const,
    };
    const grey = greyscalePixels(image);
    expect([...grey.data]).toEqual([76, 76, 76, 150, 150, 150, 29, 29, 29, 18, 18, 18]);
    expect([grey.width, grey.height, grey.channels]).toEqual([2, 2, 3]);
    expect([...image.data.slice(0, 3)]).toEqual([255, 0, 0]); // the input is left as it is
  });

  it('leaves a grey picture unchanged', () => {
    const image = { data: new Uint8Array([7, 7, 7, 200, 200, 200]), width: 2, height: 1, channels: 3 as const };
    expect([...greyscalePixels(image).data]).toEqual([...image.data]);
  });
});

describe('variantPixels', () => {
  const model = { data: new Uint8Array([255, 0, 0, 0, 0, 255]), width: 2, height: 1, channels: 3 as const };
  const trimmed = { data: new Uint8Array([1, 2, 3]), width: 1, height: 1, channels: 3 as const };

  it('gives the trimmed model input as decoded, and none for a picture without borders', () => {
    expect(variantPixels({ model, trimmed }, 'trimmed')).toBe(trimmed);
    expect(variantPixels({ model, trimmed: null }, 'trimmed')).toBeNull();
  });

  it('derives the greyscale and turned variants from the model input', () => {
    expect([...variantPixels({ model, trimmed: null }, 'greyscale')!.data]).toEqual([76, 76, 76, 29, 29, 29]);
    expect([...variantPixels({ model, trimmed }, 2)!.data]).toEqual([0, 0, 255, 255, 0, 0]); // mirrored
  });
});
