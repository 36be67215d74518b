/**
 * The inner product of the pixel alignment's coarse offset search (correlation.ts's `bestOffset`): the sum of
 * products of two rectangles of two planes, in WebAssembly SIMD (`f64x2` multiply-adds over linear memory),
 * hand-assembled (electron/search/wasm/assemble.ts). It is the pixel check's dearest loop: on the stress library
 * it took 36 % of the workers' time in plain JS.
 *
 * The planes are copied in as 64-bit floats, so each product is exact (two 32-bit floats multiply exactly in 64
 * bits) and only the order of the additions differs from the JS loop (two lanes, then the odd column): sums
 * agree to about 1e-16 of their size. Where WebAssembly SIMD is missing, `rectangleDot` is the JS loop.
 */
import {
  F64,
  I32,
  MODULE_HEADER,
  name,
  OP,
  section,
  simd,
  SIMD,
  uleb,
  V128,
  VOID_BLOCK,
  withSize,
} from '../wasm/assemble.js';

/**
 * `dot(pa, strideA, pb, strideB, rows, cols) -> f64`: Σ over `rows` rows and `cols` columns of a[…]·b[…], the
 * rectangles starting at byte addresses `pa` and `pb`, their rows `strideA` and `strideB` bytes apart.
 */
function dotBody(): number[] {
  const [PA, SA, PB, SB, ROWS, COLS, IA, IB, END, PAIRED, ACC, TAIL] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const load = (op: number[], align: number) => [...op, align, 0];
  return withSize([
    ...[3, 4, I32, 1, V128, 1, F64], // locals: ia, ib, end, paired (i32); acc (v128); tail (f64)
    // paired = (cols & ~1) * 8: the bytes of a row the two lanes take; an odd last column goes to `tail`.
    ...[OP.localGet, COLS, OP.i32Const, ...[0x7e], OP.i32And, OP.i32Const, 3, OP.i32Shl, OP.localSet, PAIRED],
    ...[OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK],
    ...[OP.localGet, ROWS, OP.i32Eqz, OP.brIf, 1],
    ...[OP.localGet, PA, OP.localSet, IA, OP.localGet, PB, OP.localSet, IB],
    ...[OP.localGet, PA, OP.localGet, PAIRED, OP.i32Add, OP.localSet, END],
    ...[OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK],
    ...[OP.localGet, IA, OP.localGet, END, OP.i32GeU, OP.brIf, 1],
    ...[OP.localGet, ACC, OP.localGet, IA, ...load(simd(SIMD.v128Load), 3)],
    ...[OP.localGet, IB, ...load(simd(SIMD.v128Load), 3), ...simd(SIMD.f64x2Mul), ...simd(SIMD.f64x2Add)],
    ...[OP.localSet, ACC],
    ...[OP.localGet, IA, OP.i32Const, 16, OP.i32Add, OP.localSet, IA],
    ...[OP.localGet, IB, OP.i32Const, 16, OP.i32Add, OP.localSet, IB],
    ...[OP.br, 0, OP.end, OP.end],
    // The odd column.
    ...[OP.localGet, COLS, OP.i32Const, 1, OP.i32And, OP.if, VOID_BLOCK],
    ...[OP.localGet, TAIL, OP.localGet, IA, OP.f64Load, 3, 0, OP.localGet, IB, OP.f64Load, 3, 0],
    ...[OP.f64Mul, OP.f64Add, OP.localSet, TAIL, OP.end],
    ...[OP.localGet, PA, OP.localGet, SA, OP.i32Add, OP.localSet, PA],
    ...[OP.localGet, PB, OP.localGet, SB, OP.i32Add, OP.localSet, PB],
    ...[OP.localGet, ROWS, OP.i32Const, 1, OP.i32Sub, OP.localSet, ROWS],
    ...[OP.br, 0, OP.end, OP.end],
    ...[OP.localGet, ACC, ...simd(SIMD.f64x2ExtractLane), 0, OP.localGet, ACC, ...simd(SIMD.f64x2ExtractLane), 1],
    ...[OP.f64Add, OP.localGet, TAIL, OP.f64Add, OP.end],
  ]);
}

/** The module's bytes: imports `env.memory`; exports `dot`. */
export function buildDotWasmModule(): Uint8Array {
  const types = [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 1, F64];
  const imports = [1, ...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  return new Uint8Array([
    ...MODULE_HEADER,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('dot'), 0x00, 0]),
    ...section(10, [1, ...dotBody()]),
  ]);
}

type DotFn = (pa: number, strideA: number, pb: number, strideB: number, rows: number, cols: number) => number;

/** Where plane B starts in memory (plane A at 0): room for A up to 8,192 values. */
const B_OFFSET = 8192 * 8;
const PAGE = 65536;

/** A plane to take rectangles of: its width and row-major values. */
export interface DotPlane {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Two planes held for `rectangleDot`; `setA`/`setB` copy them in. One per thread (the module's memory is its
 * own), made on first use.
 */
export class RectangleDot {
  private readonly memory: WebAssembly.Memory | null;
  private readonly dot: DotFn | null;
  private a: DotPlane | null = null;
  private b: DotPlane | null = null;

  constructor(useWasm = true) {
    let memory: WebAssembly.Memory | null = null;
    let dot: DotFn | null = null;
    if (useWasm) {
      try {
        memory = new WebAssembly.Memory({ initial: 2 });
        const module = new WebAssembly.Module(buildDotWasmModule() as Uint8Array<ArrayBuffer>);
        dot = new WebAssembly.Instance(module, { env: { memory } }).exports.dot as DotFn;
      } catch {
        [memory, dot] = [null, null]; // no WebAssembly SIMD here: the JS loop
      }
    }
    this.memory = memory;
    this.dot = dot;
  }

  /** Whether the WebAssembly kernel runs (else the JS loop). */
  get wasm(): boolean {
    return this.dot !== null;
  }

  setA(plane: DotPlane): void {
    this.a = plane;
    this.copy(plane, 0);
  }

  setB(plane: DotPlane): void {
    this.b = plane;
    this.copy(plane, B_OFFSET);
  }

  private copy(plane: DotPlane, offset: number): void {
    if (!this.memory) return;
    if (offset === 0 && plane.data.length * 8 > B_OFFSET) throw new RangeError('Plane A is too large for the kernel');
    const need = offset + plane.data.length * 8;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    new Float64Array(this.memory.buffer, offset, plane.data.length).set(plane.data);
  }

  /**
   * Σ a[y][x]·b[y − dy][x − dx] over x0 ≤ x < x1, y0 ≤ y < y1 (the rectangle must lie in both planes, B placed
   * with its top-left at (dx, dy) in A).
   */
  sum(x0: number, y0: number, x1: number, y1: number, dx: number, dy: number): number {
    const [a, b] = [this.a!, this.b!];
    if (this.dot) {
      return this.dot(
        (y0 * a.width + x0) * 8,
        a.width * 8,
        B_OFFSET + ((y0 - dy) * b.width + (x0 - dx)) * 8,
        b.width * 8,
        y1 - y0,
        x1 - x0,
      );
    }
    const [ad, bd] = [a.data, b.data];
    let sab = 0;
    for (let y = y0; y < y1; y++) {
      let ia = y * a.width + x0;
      let ib = (y - dy) * b.width + (x0 - dx);
      for (let x = x0; x < x1; x++, ia++, ib++) sab += ad[ia] * bd[ib];
    }
    return sab;
  }
}

let shared: RectangleDot | null = null;

/** This thread's kernel. */
export function rectangleDot(): RectangleDot {
  return (shared ??= new RectangleDot());
}
