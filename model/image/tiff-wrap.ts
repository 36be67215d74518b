/**
 * Wraps decoded pixels in a minimal uncompressed TIFF carrying an ICC profile. sharp's raw-pixel
 * input cannot be tagged with a profile, but a TIFF can, and libvips then converts it to sRGB like
 * any other tagged photo. Used for HEIC, whose wasm decoder returns pixels in the file's colour
 * space (iPhones tag photos Display P3). Costs one copy of the pixels; no compression work.
 */

const SHORT = 3;
const LONG = 4;
const UNDEFINED = 7;

export function wrapPixelsInTiff(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  icc: Uint8Array,
): Uint8Array {
  const entries: [tag: number, type: number, count: number, value: number][] = [];
  const headerAndIfd = 8 + 2 + 12 * 12 + 4;
  const bitsAt = headerAndIfd;
  const iccAt = bitsAt + 8;
  const pixelsAt = iccAt + icc.length + (icc.length & 1);
  entries.push(
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, channels, bitsAt],
    [259, SHORT, 1, 1], // no compression
    [262, SHORT, 1, 2], // RGB
    [273, LONG, 1, pixelsAt],
    [277, SHORT, 1, channels],
    [278, LONG, 1, height],
    [279, LONG, 1, pixels.length],
    [284, SHORT, 1, 1], // interleaved
    [338, SHORT, 1, channels === 4 ? 2 : 0], // unassociated alpha (0 = unspecified extra, unused for RGB)
    [34675, UNDEFINED, icc.length, iccAt], // InterColorProfile
  );
  const usable = entries.filter(([tag]) => tag !== 338 || channels === 4);
  const file = new Uint8Array(pixelsAt + pixels.length);
  const view = new DataView(file.buffer);
  file.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, 8, true);
  view.setUint16(8, usable.length, true);
  usable.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    if (type === SHORT && count === 1) view.setUint16(at + 8, value, true);
    else view.setUint32(at + 8, value, true);
  });
  view.setUint32(10 + usable.length * 12, 0, true); // no next IFD
  for (let c = 0; c < channels; c++) view.setUint16(bitsAt + 2 * c, 8, true);
  file.set(icc, iccAt);
  file.set(pixels, pixelsAt);
  return file;
}
