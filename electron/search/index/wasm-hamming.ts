/**
 * A hand-assembled WebAssembly Hamming kernel (`i64.popcnt` / `i32.popcnt` over linear memory).
 *
 * The module is a few hundred bytes built here at load time (electron/search/wasm/assemble.ts). Codes live
 * in the module's memory (a `WasmHammingScanner` owns one), so a scan reads them where they are:
 * copying a database in for every query would cost as much as the scan itself.
 */
import type { DistanceArray } from '../../../model/codes.js';
import { I32, I64, MODULE_HEADER, name, OP, section, uleb, VOID_BLOCK, withSize } from '../wasm/assemble.js';

// Parameters: 0 query ptr, 1 db ptr, 2 code count, 3 out ptr. Locals: 4 end, 5 d, 6 q (i32), 7 q0, 8 q1 (i64).
const [Q, DB, N, OUT, END, D, Q32, Q64A, Q64B] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/**
 * Body of `out[i] = dist(query, db[i])` (or `min(out[i], dist)` when `keepMin`) for codes of 1, 2 or 4 words.
 * Pointers advance instead of indexing so the loop is a handful of instructions.
 */
function distanceKernelBody(words: 1 | 2 | 4, keepMin: boolean): number[] {
  const load = (op: number, align: number, offset: number) => [op, align, ...uleb(offset)];
  const code: number[] = [OP.localGet, OUT, OP.localGet, N, OP.i32Add, OP.localSet, END];
  if (words === 1) code.push(OP.localGet, Q, ...load(OP.i32Load, 2, 0), OP.localSet, Q32);
  else {
    code.push(OP.localGet, Q, ...load(OP.i64Load, 3, 0), OP.localSet, Q64A);
    if (words === 4) code.push(OP.localGet, Q, ...load(OP.i64Load, 3, 8), OP.localSet, Q64B);
  }
  code.push(OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK);
  code.push(OP.localGet, OUT, OP.localGet, END, OP.i32GeU, OP.brIf, 1);
  if (words === 1) code.push(OP.localGet, DB, ...load(OP.i32Load, 2, 0), OP.localGet, Q32, OP.i32Xor, OP.i32Popcnt);
  else {
    code.push(OP.localGet, DB, ...load(OP.i64Load, 3, 0), OP.localGet, Q64A, OP.i64Xor, OP.i64Popcnt, OP.i32WrapI64);
    if (words === 4) {
      code.push(OP.localGet, DB, ...load(OP.i64Load, 3, 8), OP.localGet, Q64B, OP.i64Xor, OP.i64Popcnt);
      code.push(OP.i32WrapI64, OP.i32Add);
    }
  }
  code.push(OP.localSet, D, OP.localGet, OUT);
  if (keepMin) {
    const old = [OP.localGet, OUT, ...load(OP.i32Load8U, 0, 0)];
    code.push(OP.localGet, D, ...old, OP.localGet, D, ...old, OP.i32LtU, OP.select);
  } else code.push(OP.localGet, D);
  code.push(...load(OP.i32Store8, 0, 0));
  code.push(OP.localGet, DB, OP.i32Const, ...uleb(words * 4), OP.i32Add, OP.localSet, DB);
  code.push(OP.localGet, OUT, OP.i32Const, 1, OP.i32Add, OP.localSet, OUT);
  code.push(OP.br, 0, OP.end, OP.end, OP.end);
  const locals = [2, 3, I32, 2, I64]; // two groups: 3 x i32 (end, d, q32), 2 x i64 (q0, q1)
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

const KERNELS = [
  { exportName: 'dist1', words: 1, keepMin: false },
  { exportName: 'min1', words: 1, keepMin: true },
  { exportName: 'dist2', words: 2, keepMin: false },
  { exportName: 'min2', words: 2, keepMin: true },
  { exportName: 'dist4', words: 4, keepMin: false },
  { exportName: 'min4', words: 4, keepMin: true },
] as const;

/** `histogram(distances, n, counts)`: counts[d] += 1 for each of the n distance bytes (counts are i32). */
function histogramBody(): number[] {
  const [PTR, COUNT, HIST, END_, ADDR] = [0, 1, 2, 3, 4];
  return withSize([
    ...[1, 2, I32],
    ...[OP.localGet, PTR, OP.localGet, COUNT, OP.i32Add, OP.localSet, END_],
    ...[OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK],
    ...[OP.localGet, PTR, OP.localGet, END_, OP.i32GeU, OP.brIf, 1],
    ...[OP.localGet, HIST, OP.localGet, PTR, OP.i32Load8U, 0, 0, OP.i32Const, 2, OP.i32Shl, OP.i32Add],
    ...[OP.localTee, ADDR, OP.localGet, ADDR, OP.i32Load, 2, 0, OP.i32Const, 1, OP.i32Add, OP.i32Store, 2, 0],
    ...[OP.localGet, PTR, OP.i32Const, 1, OP.i32Add, OP.localSet, PTR],
    ...[OP.br, 0, OP.end, OP.end, OP.end],
  ]);
}

/** `select(distances, n, cutoff, out) -> count`: writes the indices i with distances[i] <= cutoff (as i32). */
function selectBody(): number[] {
  const [PTR, COUNT, CUTOFF, OUT_, I, FOUND] = [0, 1, 2, 3, 4, 5];
  return withSize([
    ...[1, 2, I32],
    ...[OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK],
    ...[OP.localGet, I, OP.localGet, COUNT, OP.i32GeU, OP.brIf, 1],
    ...[OP.localGet, PTR, OP.localGet, I, OP.i32Add, OP.i32Load8U, 0, 0, OP.localGet, CUTOFF, OP.i32LeU],
    ...[OP.if, VOID_BLOCK],
    ...[OP.localGet, OUT_, OP.localGet, FOUND, OP.i32Const, 2, OP.i32Shl, OP.i32Add, OP.localGet, I],
    ...[OP.i32Store, 2, 0, OP.localGet, FOUND, OP.i32Const, 1, OP.i32Add, OP.localSet, FOUND, OP.end],
    ...[OP.localGet, I, OP.i32Const, 1, OP.i32Add, OP.localSet, I],
    ...[OP.br, 0, OP.end, OP.end, OP.localGet, FOUND, OP.end],
  ]);
}

/** The module's bytes: imports `env.memory`; exports the distance kernels, `histogram` and `select`. */
export function buildHammingWasmModule(): Uint8Array {
  // Types: 0 (i32 x4) -> (), 1 (i32 x3) -> (), 2 (i32 x4) -> i32.
  const types = [3, 0x60, 4, I32, I32, I32, I32, 0, 0x60, 3, I32, I32, I32, 0, 0x60, 4, I32, I32, I32, I32, 1, I32];
  const imports = [1, ...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  const count = KERNELS.length + 2;
  const functions = [count, ...KERNELS.map(() => 0), 1, 2];
  const exportNames = [...KERNELS.map((k) => k.exportName), 'histogram', 'select'];
  const exports = [count, ...exportNames.flatMap((n, i) => [...name(n), 0x00, i])];
  const bodies = [
    count,
    ...KERNELS.flatMap((k) => distanceKernelBody(k.words, k.keepMin)),
    ...histogramBody(),
    ...selectBody(),
  ];
  return new Uint8Array([
    ...MODULE_HEADER,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, bodies),
  ]);
}

type KernelFn = (query: number, db: number, n: number, out: number) => void;
let compiledModule: WebAssembly.Module | null = null;

const PAGE = 65536;
/** The query code sits at offset 0; codes start at 64 (8-byte aligned for i64 loads). */
const QUERY_OFFSET = 0;
const CODES_OFFSET = 64;

/**
 * Codes held in WebAssembly memory with kernels that scan them in place.
 * `codes` is a view that is replaced when memory grows, which only `reserve` (and `load`) do: re-read it after them.
 */
export class WasmHammingScanner {
  readonly wordsPerCode: number;
  private readonly memory: WebAssembly.Memory;
  private readonly dist: KernelFn;
  private readonly min: KernelFn;
  private readonly histogramFn: (distances: number, n: number, counts: number) => void;
  private readonly selectFn: (distances: number, n: number, cutoff: number, out: number) => number;
  private lastCount = 0;
  private capacity = 0;
  private view: Uint32Array;

  constructor(wordsPerCode: number, initialCapacity = 1024) {
    if (wordsPerCode !== 1 && wordsPerCode !== 2 && wordsPerCode !== 4) {
      throw new RangeError(`The WebAssembly kernel takes 1, 2 or 4 words per code, not ${wordsPerCode}`);
    }
    this.wordsPerCode = wordsPerCode;
    this.memory = new WebAssembly.Memory({ initial: 1 });
    compiledModule ??= new WebAssembly.Module(buildHammingWasmModule() as Uint8Array<ArrayBuffer>);
    const exports = new WebAssembly.Instance(compiledModule, { env: { memory: this.memory } }).exports;
    this.dist = exports[`dist${wordsPerCode}`] as KernelFn;
    this.min = exports[`min${wordsPerCode}`] as KernelFn;
    this.histogramFn = exports.histogram as (distances: number, n: number, counts: number) => void;
    this.selectFn = exports.select as (distances: number, n: number, cutoff: number, out: number) => number;
    this.view = new Uint32Array(0);
    this.reserve(initialCapacity);
  }

  /** Room for `capacity` codes (contents kept); returns the current codes view. */
  reserve(capacity: number): Uint32Array {
    if (capacity > this.capacity) {
      this.capacity = Math.max(capacity, Math.ceil(this.capacity * 1.5));
      // Codes, then scan output: distances (1 byte per code), a histogram (256 x i32) and selected
      // indices (4 bytes per code). Sized here so that a scan never grows memory and detaches views.
      this.ensureBytes(this.indicesOffset() + this.capacity * 4);
      this.view = new Uint32Array(this.memory.buffer, CODES_OFFSET, this.capacity * this.wordsPerCode);
    }
    return this.view;
  }

  /** Codes storage (`capacity * wordsPerCode` words); write codes here directly. */
  get codes(): Uint32Array {
    return this.view;
  }

  /** Replaces the stored codes with a copy of `db`. */
  load(db: Uint32Array): void {
    this.reserve(Math.ceil(db.length / this.wordsPerCode));
    this.view.set(db);
  }

  /**
   * Min distance from any of the query codes (concatenated in `queries`) to each of the first `n` stored codes.
   * Returns a view into WebAssembly memory that the next scan overwrites; copy it if you keep it.
   */
  minDistances(queries: Uint32Array, n: number): Uint8Array {
    const wpc = this.wordsPerCode;
    const queryCount = queries.length / wpc;
    if (!Number.isInteger(queryCount) || queryCount < 1) throw new RangeError('Query length is not a whole code');
    if (n > this.capacity) throw new RangeError('Scan past the stored codes');
    const outOffset = this.distancesOffset();
    this.lastCount = n;
    const queryWords = new Uint32Array(this.memory.buffer, QUERY_OFFSET, wpc);
    for (let q = 0; q < queryCount; q++) {
      queryWords.set(queries.subarray(q * wpc, (q + 1) * wpc));
      (q === 0 ? this.dist : this.min)(QUERY_OFFSET, CODES_OFFSET, n, outOffset);
    }
    return new Uint8Array(this.memory.buffer, outOffset, n);
  }

  /** Count of each distance value (0..255) in the last `minDistances` result. */
  histogramOfLast(): Uint32Array {
    const n = this.lastCount;
    const countsOffset = this.histogramOffset();
    new Uint32Array(this.memory.buffer, countsOffset, 256).fill(0);
    this.histogramFn(this.distancesOffset(), n, countsOffset);
    return new Uint32Array(this.memory.buffer, countsOffset, 256).slice();
  }

  /** Indices whose last distance is <= `cutoff`, ascending (a view the next scan overwrites). */
  indicesWithin(cutoff: number): Uint32Array {
    const n = this.lastCount;
    const out = this.indicesOffset();
    const found = this.selectFn(this.distancesOffset(), n, cutoff, out);
    return new Uint32Array(this.memory.buffer, out, found);
  }

  private distancesOffset(): number {
    return CODES_OFFSET + this.capacity * this.wordsPerCode * 4;
  }

  private histogramOffset(): number {
    return this.distancesOffset() + Math.ceil(this.capacity / 8) * 8;
  }

  private indicesOffset(): number {
    return this.histogramOffset() + 256 * 4;
  }

  /** Bytes of WebAssembly memory held. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  private ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.view = new Uint32Array(this.memory.buffer, CODES_OFFSET, this.capacity * this.wordsPerCode);
    }
  }
}

let sharedScanners: Map<number, WasmHammingScanner> | null = null;

/**
 * One-off distances with the WebAssembly kernel: copies `db` into WebAssembly memory first.
 * To rank one database for many queries, keep a `WasmHammingScanner` and `load` the codes once.
 */
export function hammingDistancesWasm(query: Uint32Array, db: Uint32Array, wpc: number, out: DistanceArray): void {
  sharedScanners ??= new Map();
  let scanner = sharedScanners.get(wpc);
  if (!scanner) sharedScanners.set(wpc, (scanner = new WasmHammingScanner(wpc)));
  const n = Math.floor(db.length / wpc);
  scanner.load(db.subarray(0, n * wpc));
  out.set(scanner.minDistances(query.subarray(0, wpc), n));
}
