/**
 * Packed binary codes: K-bit hash codes as little-endian bit vectors in 32-bit words.
 *
 * Bit i of a code is bit (i % 32) of word (i / 32), so a 64-bit code read as two words, or as one
 * little-endian i64 by the WebAssembly kernel, means the same thing. Several codes are stored back
 * to back in one Uint32Array with `wordsPerCode(bits)` words each; unused high bits are always zero.
 */

/** Code lengths the search side supports (128 for a model that offers it). */
export const SUPPORTED_CODE_BITS = [16, 32, 48, 64, 128] as const;
export type CodeBits = (typeof SUPPORTED_CODE_BITS)[number];

export function assertSupportedBits(bits: number): asserts bits is CodeBits {
  if (!(SUPPORTED_CODE_BITS as readonly number[]).includes(bits)) {
    throw new RangeError(`Unsupported code length ${bits}; expected one of ${SUPPORTED_CODE_BITS.join(', ')}`);
  }
}

/** 32-bit words per packed code: 16/32 bits -> 1, 48/64 -> 2, 128 -> 4. */
export function wordsPerCode(bits: number): number {
  return Math.ceil(bits / 32);
}

/** Packs 0/1 (or boolean) values, one per bit, into a fresh code. */
export function packBits(bitValues: ArrayLike<number | boolean>): Uint32Array {
  assertSupportedBits(bitValues.length);
  const words = new Uint32Array(wordsPerCode(bitValues.length));
  for (let i = 0; i < bitValues.length; i++) {
    if (bitValues[i]) words[i >>> 5] |= 1 << (i & 31);
  }
  return words;
}

/** Binarises real-valued head activations: bit i is set when activation i is above 0 (sign bits). */
export function packActivations(activations: ArrayLike<number>): Uint32Array {
  assertSupportedBits(activations.length);
  const words = new Uint32Array(wordsPerCode(activations.length));
  for (let i = 0; i < activations.length; i++) {
    if (activations[i] > 0) words[i >>> 5] |= 1 << (i & 31);
  }
  return words;
}

/** Packs `count` rows of `bits` activations (row-major, e.g. an encoder's output batch) into one code array. */
export function packActivationRows(activations: ArrayLike<number>, bits: number, count: number): Uint32Array {
  assertSupportedBits(bits);
  if (activations.length < bits * count) throw new RangeError('Not enough activations for the requested rows');
  const wpc = wordsPerCode(bits);
  const words = new Uint32Array(wpc * count);
  for (let row = 0; row < count; row++) {
    const base = row * bits;
    for (let i = 0; i < bits; i++) {
      if (activations[base + i] > 0) words[row * wpc + (i >>> 5)] |= 1 << (i & 31);
    }
  }
  return words;
}

/** The code's bits as 0/1 values. */
export function unpackBits(code: Uint32Array, bits: number): Uint8Array {
  assertSupportedBits(bits);
  const out = new Uint8Array(bits);
  for (let i = 0; i < bits; i++) out[i] = (code[i >>> 5] >>> (i & 31)) & 1;
  return out;
}

/** The code as an unsigned BigInt: bit i of the code is bit i of the number. */
export function codeToBigInt(code: Uint32Array, bits: number): bigint {
  assertSupportedBits(bits);
  let value = 0n;
  for (let w = wordsPerCode(bits) - 1; w >= 0; w--) value = (value << 32n) | BigInt(code[w] >>> 0);
  return value;
}

export function codeFromBigInt(value: bigint, bits: number): Uint32Array {
  assertSupportedBits(bits);
  if (value < 0n || value >> BigInt(bits) !== 0n) throw new RangeError(`Value does not fit in ${bits} unsigned bits`);
  const words = new Uint32Array(wordsPerCode(bits));
  for (let w = 0; w < words.length; w++) words[w] = Number((value >> BigInt(32 * w)) & 0xffffffffn);
  return words;
}

/** Fixed-width lowercase hex of the unsigned value (most significant digit first), e.g. for logs and JSON. */
export function codeToHex(code: Uint32Array, bits: number): string {
  return codeToBigInt(code, bits)
    .toString(16)
    .padStart(bits / 4, '0');
}

export function codeFromHex(hex: string, bits: number): Uint32Array {
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > bits / 4) throw new RangeError(`Not a ${bits}-bit hex code: ${hex}`);
  return codeFromBigInt(BigInt('0x' + hex), bits);
}

const TWO_POW_64 = 1n << 64n;
const TWO_POW_63 = 1n << 63n;

/**
 * The code as a signed 64-bit integer for one SQLite INTEGER column (better-sqlite3 `safeIntegers`).
 * SQLite integers are signed, so codes with bit 63 set are stored as their two's-complement negative.
 */
export function toSqliteInteger(code: Uint32Array, bits: number): bigint {
  if (bits > 64) throw new RangeError(`A ${bits}-bit code does not fit one SQLite INTEGER; store it as a BLOB`);
  const unsigned = codeToBigInt(code, bits);
  return unsigned >= TWO_POW_63 ? unsigned - TWO_POW_64 : unsigned;
}

/** Inverse of `toSqliteInteger`; also accepts a JS number when the driver returned one (safe range only). */
export function fromSqliteInteger(value: bigint | number, bits: number): Uint32Array {
  if (bits > 64) throw new RangeError(`A ${bits}-bit code does not fit one SQLite INTEGER`);
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError('Code read as an unsafe JS number: read it with safeIntegers(true)');
  }
  let v = BigInt(value);
  if (v < -TWO_POW_63 || v >= TWO_POW_63) throw new RangeError('Not a signed 64-bit integer');
  if (v < 0n) v += TWO_POW_64;
  return codeFromBigInt(v, bits);
}

/** Number of set bits in a 32-bit value (SWAR: no table, no branches). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance between code `a` at word offset `aOffset` and code `b` at `bOffset`. */
export function hammingDistance(
  a: Uint32Array,
  b: Uint32Array,
  wordsPerCodeCount: number,
  aOffset = 0,
  bOffset = 0,
): number {
  let d = 0;
  for (let w = 0; w < wordsPerCodeCount; w++) d += popcount32(a[aOffset + w] ^ b[bOffset + w]);
  return d;
}

export type DistanceArray = Uint8Array | Uint16Array | Uint32Array;

/**
 * Distances from one query code to every code of `db` (the pure-JS kernel), written to `out[0..n)`.
 * Specialised for 1 and 2 words per code, the common cases, so V8 keeps the loop tight.
 */
export function hammingDistancesJs(
  query: Uint32Array,
  db: Uint32Array,
  wordsPerCodeCount: number,
  out: DistanceArray,
): void {
  const n = Math.floor(db.length / wordsPerCodeCount);
  if (out.length < n) throw new RangeError('Output array is shorter than the number of codes');
  if (wordsPerCodeCount === 2) {
    const q0 = query[0] | 0;
    const q1 = query[1] | 0;
    for (let i = 0, j = 0; i < n; i++, j += 2) {
      let x = db[j] ^ q0;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      let y = db[j + 1] ^ q1;
      y -= (y >>> 1) & 0x55555555;
      y = (y & 0x33333333) + ((y >>> 2) & 0x33333333);
      // Nibble counts of both words fit a byte each before the final horizontal sum.
      x = ((x + (x >>> 4)) & 0x0f0f0f0f) + ((y + (y >>> 4)) & 0x0f0f0f0f);
      out[i] = Math.imul(x, 0x01010101) >>> 24;
    }
  } else if (wordsPerCodeCount === 1) {
    const q0 = query[0] | 0;
    for (let i = 0; i < n; i++) out[i] = popcount32(db[i] ^ q0);
  } else {
    for (let i = 0, j = 0; i < n; i++, j += wordsPerCodeCount) {
      out[i] = hammingDistance(query, db, wordsPerCodeCount, 0, j);
    }
  }
}

/**
 * One query made of several codes, e.g. an image's rotated and mirrored versions (test-time
 * augmentation): the index takes the concatenation and ranks by the minimum distance over them.
 */
export function concatCodes(codes: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(codes.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const code of codes) {
    out.set(code, offset);
    offset += code.length;
  }
  return out;
}
