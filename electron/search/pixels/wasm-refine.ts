/**
 * One Gauss–Newton step's sums of the warp refinement (warp.ts's `refineWarp`), in WebAssembly: every A pixel the
 * warp puts inside B, B's bilinear value and gradient there, and the normal equations' 21 distinct sums, the
 * right-hand side's 6 and the overlap's count. Hand-assembled (electron/search/wasm/assemble.ts). It is the pixel
 * check's dearest loop: on the stress library the refinement took 36 % of the alignment time in plain JS, where this
 * kernel takes about 60 % of what the JS loop took.
 *
 * Scalar 64-bit arithmetic in the JS loop's order, operation for operation (no fused multiply-adds, no reordered
 * sums), on the planes' 32-bit values: the sums are the JS loop's to the bit, so verdicts do not move. Where
 * WebAssembly is missing, `refineWarp` runs the JS loop.
 */
import { F64, I32, MODULE_HEADER, name, OP, section, uleb, VOID_BLOCK, withSize } from '../wasm/assemble.js';

/** `f64.const x`: the opcode and the value's 8 bytes, little-endian. */
function f64(x: number): number[] {
  const bytes = new Uint8Array(new Float64Array([x]).buffer);
  return [OP.f64Const, ...bytes];
}

/** The value at byte address `address` (an i32 on the stack) of a Float32 plane, as an f64. */
const loadF32 = (offset = 0) => [OP.f32Load, 2, ...uleb(offset), OP.f64PromoteF32];

/** Named locals: parameters first (in order), then the declared ones, each index by name. */
function locals<P extends string, L extends string>(params: readonly P[], i32s: readonly L[], f64s: readonly L[]) {
  const index = {} as Record<P | L, number>;
  [...params, ...i32s, ...f64s].forEach((n, i) => (index[n as P | L] = i));
  return index;
}

/**
 * `sample(p, width, height, u, v) -> f64`: warp.ts's `sample` of the plane at byte address `p` (Float32 values):
 * bilinear at continuous (u, v), clamped to the outer pixel centres.
 */
function sampleBody(): number[] {
  const L = locals(['p', 'width', 'height', 'u', 'v'], ['i', 'right', 'down'], ['fx', 'fy', 'wx', 'wy']);
  const get = (n: keyof typeof L) => [OP.localGet, L[n]];
  const set = (n: keyof typeof L) => [OP.localSet, L[n]];
  const widthF = [...get('width'), OP.f64ConvertI32S];
  const heightF = [...get('height'), OP.f64ConvertI32S];
  // values[k] for k = i + extra (i32 on the stack: extra), as f64.
  const value = (extra: number[]) => [
    ...get('p'),
    ...get('i'),
    ...extra,
    OP.i32Add,
    OP.i32Const,
    2,
    OP.i32Shl,
    OP.i32Add,
    ...loadF32(),
  ];
  return withSize([
    ...[2, 3, I32, 4, F64], // locals: i, right, down (i32); fx, fy, wx, wy (f64)
    // fx = min(max(u - 0.5, 0), width - 1.0001); fy likewise.
    ...[...get('u'), ...f64(0.5), OP.f64Sub, ...f64(0), OP.f64Max, ...widthF, ...f64(1.0001), OP.f64Sub, OP.f64Min],
    ...set('fx'),
    ...[...get('v'), ...f64(0.5), OP.f64Sub, ...f64(0), OP.f64Max, ...heightF, ...f64(1.0001), OP.f64Sub, OP.f64Min],
    ...set('fy'),
    // i = floor(fy) * width + floor(fx); wx = fx - floor(fx); wy = fy - floor(fy).
    ...[...get('fy'), OP.f64Floor, OP.i32TruncF64S, ...get('width'), OP.i32Mul],
    ...[...get('fx'), OP.f64Floor, OP.i32TruncF64S, OP.i32Add, ...set('i')],
    ...[...get('fx'), ...get('fx'), OP.f64Floor, OP.f64Sub, ...set('wx')],
    ...[...get('fy'), ...get('fy'), OP.f64Floor, OP.f64Sub, ...set('wy')],
    // right = width > 1 ? 1 : 0; down = height > 1 ? width : 0.
    ...[OP.i32Const, 1, OP.i32Const, 0, ...get('width'), OP.i32Const, 1, OP.i32GtS, OP.select, ...set('right')],
    ...[...get('width'), OP.i32Const, 0, ...get('height'), OP.i32Const, 1, OP.i32GtS, OP.select, ...set('down')],
    // (1 - wy) * ((1 - wx) * v[i] + wx * v[i + right]) + wy * ((1 - wx) * v[i + down] + wx * v[i + down + right])
    ...[...f64(1), ...get('wy'), OP.f64Sub],
    ...[...f64(1), ...get('wx'), OP.f64Sub, ...value([OP.i32Const, 0]), OP.f64Mul],
    ...[...get('wx'), ...value(get('right')), OP.f64Mul, OP.f64Add, OP.f64Mul],
    ...get('wy'),
    ...[...f64(1), ...get('wx'), OP.f64Sub, ...value(get('down')), OP.f64Mul],
    ...[...get('wx'), ...value([...get('down'), ...get('right'), OP.i32Add]), OP.f64Mul, OP.f64Add, OP.f64Mul],
    OP.f64Add,
    OP.end,
  ]);
}

/** The sums a step needs, in the order `sums` writes them (then the overlap's count). */
const SUMS = [
  's00', 's01', 's02', 's03', 's04', 's05', 's11', 's12', 's13', 's14', 's15',
  's22', 's23', 's24', 's25', 's33', 's34', 's35', 's44', 's45', 's55',
  'r0', 'r1', 'r2', 'r3', 'r4', 'r5',
] as const; // prettier-ignore

/** How many f64 values `sums` writes: the sums, then the count. */
export const SUM_VALUES = SUMS.length + 1;

/**
 * `sums(pa, aw, ah, pb, pdx, pdy, width, height, wa, wb, tx, ty, gain, bias, out)`: warp.ts's refinement step over
 * A (aw × ah Float32 values at byte address pa) and B (width × height at pb, its central differences at pdx and pdy)
 * under the warp (wa, wb, tx, ty) and the photometric gain and bias; writes SUMS and the count as f64 at `out`.
 */
function sumsBody(): number[] {
  const params = [
    'pa',
    'aw',
    'ah',
    'pb',
    'pdx',
    'pdy',
    'width',
    'height',
    'wa',
    'wb',
    'tx',
    'ty',
    'gain',
    'bias',
    'out',
  ] as const;
  const i32s = ['x', 'y', 'i', 'count', 'at'] as const;
  const f64s = [
    'cx', 'cy', 'xc', 'yc', 'u', 'v', 'uMax', 'vMax', 'uHigh', 'vHigh', 'fx', 'fy', 'wx', 'wy',
    'w00', 'w01', 'w10', 'w11', 'bv', 'gx', 'gy', 'j0', 'j1', 'res', ...SUMS,
  ] as const; // prettier-ignore
  const L = locals(params, i32s, f64s);
  type Name = keyof typeof L;
  const get = (n: Name) => [OP.localGet, L[n]];
  const set = (n: Name) => [OP.localSet, L[n]];
  const add = (sum: Name, term: number[]) => [...get(sum), ...term, OP.f64Add, ...set(sum)];
  const mul = (a: Name, b: Name) => [...get(a), ...get(b), OP.f64Mul];
  // Plane value k (i32 index on the stack) of the plane at byte address `plane`, as f64.
  const at = (plane: Name, offset: number) => [...get('at'), ...get(plane), OP.i32Add, ...loadF32(offset)];
  // w00·p[i] + w01·p[i + 1] + w10·p[i + width] + w11·p[i + width + 1], left to right (`at` holds 4·i).
  const bilinear = (plane: Name) => [
    ...[...get('w00'), ...at(plane, 0), OP.f64Mul, ...get('w01'), ...at(plane, 4), OP.f64Mul, OP.f64Add],
    ...[...get('w10'), ...get('at'), ...get(plane), OP.i32Add, ...get('width'), OP.i32Const, 2, OP.i32Shl, OP.i32Add],
    ...[...loadF32(), OP.f64Mul, OP.f64Add],
    ...[...get('w11'), ...get('at'), ...get(plane), OP.i32Add, ...get('width'), OP.i32Const, 2, OP.i32Shl, OP.i32Add],
    ...[...loadF32(4), OP.f64Mul, OP.f64Add],
  ];
  const sample = (du: number, dv: number) => [
    ...[...get('pb'), ...get('width'), ...get('height')],
    ...[...get('u'), ...(du ? [...f64(Math.abs(du)), du > 0 ? OP.f64Add : OP.f64Sub] : [])],
    ...[...get('v'), ...(dv ? [...f64(Math.abs(dv)), dv > 0 ? OP.f64Add : OP.f64Sub] : [])],
    ...[OP.call, 0],
  ];
  // Each sum's term: t_i·t_j (s_ij) or t_i·res (r_i) over t = (j0, j1, gx, gy, bv, 1).
  const t: (Name | null)[] = ['j0', 'j1', 'gx', 'gy', 'bv', null];
  const product = (p: Name | null, q: Name | null): number[] => (p && q ? mul(p, q) : p || q ? get((p ?? q)!) : f64(1));
  const term = (sum: (typeof SUMS)[number]): number[] =>
    sum[0] === 'r' ? product(t[Number(sum[1])], 'res') : product(t[Number(sum[1])], t[Number(sum[2])]);
  const halfGainOf = (difference: number[]) => [...get('gain'), ...difference, OP.f64Mul, ...f64(2), OP.f64Div];
  const declared = [2, i32s.length, I32, f64s.length, F64];
  return withSize([
    ...declared,
    ...[...get('aw'), OP.f64ConvertI32S, ...f64(2), OP.f64Div, ...set('cx')],
    ...[...get('ah'), OP.f64ConvertI32S, ...f64(2), OP.f64Div, ...set('cy')],
    ...[...get('width'), OP.f64ConvertI32S, ...set('uMax'), ...get('height'), OP.f64ConvertI32S, ...set('vMax')],
    ...[...get('uMax'), ...f64(1.5001), OP.f64Sub, ...set('uHigh')],
    ...[...get('vMax'), ...f64(1.5001), OP.f64Sub, ...set('vHigh')],
    // for (y = 0; y < ah; y++)
    ...[OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK],
    ...[...get('y'), ...get('ah'), OP.i32GeS, OP.brIf, 1],
    ...[...get('y'), OP.f64ConvertI32S, ...f64(0.5), OP.f64Add, ...get('cy'), OP.f64Sub, ...set('yc')],
    ...[OP.i32Const, 0, ...set('x')],
    // for (x = 0; x < aw; x++)
    ...[OP.block, VOID_BLOCK, OP.loop, VOID_BLOCK],
    ...[...get('x'), ...get('aw'), OP.i32GeS, OP.brIf, 1],
    ...[OP.block, VOID_BLOCK], // skipped: the pixel lands outside B
    ...[...get('x'), OP.f64ConvertI32S, ...f64(0.5), OP.f64Add, ...get('cx'), OP.f64Sub, ...set('xc')],
    // u = wa·xc − wb·yc + tx; v = wb·xc + wa·yc + ty
    ...[...mul('wa', 'xc'), ...mul('wb', 'yc'), OP.f64Sub, ...get('tx'), OP.f64Add, ...set('u')],
    ...[...mul('wb', 'xc'), ...mul('wa', 'yc'), OP.f64Add, ...get('ty'), OP.f64Add, ...set('v')],
    ...[...get('u'), ...f64(0), OP.f64Lt, ...get('v'), ...f64(0), OP.f64Lt, OP.i32Or],
    ...[...get('u'), ...get('uMax'), OP.f64Ge, OP.i32Or, ...get('v'), ...get('vMax'), OP.f64Ge, OP.i32Or],
    ...[OP.brIf, 0],
    ...[...get('count'), OP.i32Const, 1, OP.i32Add, ...set('count')],
    // Inside [1.5, width − 1.5001) × [1.5, height − 1.5001): one set of weights for the value and both differences.
    ...[...get('u'), ...f64(1.5), OP.f64Ge, ...get('u'), ...get('uHigh'), OP.f64Lt, OP.i32And],
    ...[...get('v'), ...f64(1.5), OP.f64Ge, OP.i32And, ...get('v'), ...get('vHigh'), OP.f64Lt, OP.i32And],
    ...[OP.if, VOID_BLOCK],
    ...[...get('u'), ...f64(0.5), OP.f64Sub, ...set('fx'), ...get('v'), ...f64(0.5), OP.f64Sub, ...set('fy')],
    ...[...get('fy'), OP.f64Floor, OP.i32TruncF64S, ...get('width'), OP.i32Mul],
    ...[...get('fx'), OP.f64Floor, OP.i32TruncF64S, OP.i32Add, ...set('i')],
    ...[...get('i'), OP.i32Const, 2, OP.i32Shl, ...set('at')],
    ...[...get('fx'), ...get('fx'), OP.f64Floor, OP.f64Sub, ...set('wx')],
    ...[...get('fy'), ...get('fy'), OP.f64Floor, OP.f64Sub, ...set('wy')],
    ...[...f64(1), ...get('wy'), OP.f64Sub, ...f64(1), ...get('wx'), OP.f64Sub, OP.f64Mul, ...set('w00')],
    ...[...f64(1), ...get('wy'), OP.f64Sub, ...get('wx'), OP.f64Mul, ...set('w01')],
    ...[...get('wy'), ...f64(1), ...get('wx'), OP.f64Sub, OP.f64Mul, ...set('w10')],
    ...[...mul('wy', 'wx'), ...set('w11')],
    ...[...bilinear('pb'), ...set('bv')],
    ...[...halfGainOf(bilinear('pdx')), ...set('gx')],
    ...[...halfGainOf(bilinear('pdy')), ...set('gy')],
    OP.else,
    ...[...sample(0, 0), ...set('bv')],
    ...[...halfGainOf([...sample(1, 0), ...sample(-1, 0), OP.f64Sub]), ...set('gx')],
    ...[...halfGainOf([...sample(0, 1), ...sample(0, -1), OP.f64Sub]), ...set('gy')],
    OP.end,
    // j0 = gx·xc + gy·yc; j1 = gy·xc − gx·yc; res = a[y·aw + x] − (gain·bv + bias)
    ...[...mul('gx', 'xc'), ...mul('gy', 'yc'), OP.f64Add, ...set('j0')],
    ...[...mul('gy', 'xc'), ...mul('gx', 'yc'), OP.f64Sub, ...set('j1')],
    ...[...get('pa'), ...get('y'), ...get('aw'), OP.i32Mul, ...get('x'), OP.i32Add, OP.i32Const, 2, OP.i32Shl],
    ...[OP.i32Add, ...loadF32(), ...mul('gain', 'bv'), ...get('bias'), OP.f64Add, OP.f64Sub, ...set('res')],
    // s_ij += t_i·t_j and r_i += t_i·res over t = (j0, j1, gx, gy, bv, 1), in SUMS order.
    ...SUMS.flatMap((sum) => add(sum, term(sum))),
    OP.end, // skipped
    ...[...get('x'), OP.i32Const, 1, OP.i32Add, ...set('x'), OP.br, 0, OP.end, OP.end],
    ...[...get('y'), OP.i32Const, 1, OP.i32Add, ...set('y'), OP.br, 0, OP.end, OP.end],
    // out[k] = SUMS[k]; out[SUMS.length] = count
    ...SUMS.flatMap((s, k) => [...get('out'), ...get(s), OP.f64Store, 3, ...uleb(8 * k)]),
    ...[...get('out'), ...get('count'), OP.f64ConvertI32S, OP.f64Store, 3, ...uleb(8 * SUMS.length)],
    OP.end,
  ]);
}

/** The module's bytes: imports `env.memory`; `sample` (function 0, internal) and `sums` (exported). */
export function buildRefineWasmModule(): Uint8Array {
  const types = [
    2,
    ...[0x60, 5, I32, I32, I32, F64, F64, 1, F64], // sample
    ...[0x60, 15, ...[I32, I32, I32, I32, I32, I32, I32, I32], ...[F64, F64, F64, F64, F64, F64], I32, 0], // sums
  ];
  const imports = [1, ...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  return new Uint8Array([
    ...MODULE_HEADER,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, [2, 0, 1]),
    ...section(7, [1, ...name('sums'), 0x00, 1]),
    ...section(10, [2, ...sampleBody(), ...sumsBody()]),
  ]);
}

type SumsFn = (
  pa: number,
  aw: number,
  ah: number,
  pb: number,
  pdx: number,
  pdy: number,
  width: number,
  height: number,
  wa: number,
  wb: number,
  tx: number,
  ty: number,
  gain: number,
  bias: number,
  out: number,
) => void;

const PAGE = 65536;

/** A plane as the kernel reads it: its size and row-major values. */
interface SumsPlane {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * The planes of one refinement held in the kernel's memory (`load` copies them in), and the step's sums (`step`).
 * One per thread (the module's memory is its own), made on first use; null where WebAssembly cannot run it.
 */
export class RefineSums {
  private readonly memory: WebAssembly.Memory;
  private readonly sums: SumsFn;
  private view: Float64Array | null = null;
  private layout = { a: 0, b: 0, dx: 0, dy: 0, out: 0, aw: 0, ah: 0, width: 0, height: 0 };

  private constructor(memory: WebAssembly.Memory, sums: SumsFn) {
    this.memory = memory;
    this.sums = sums;
  }

  static create(): RefineSums | null {
    try {
      const memory = new WebAssembly.Memory({ initial: 2 });
      const module = new WebAssembly.Module(buildRefineWasmModule() as Uint8Array<ArrayBuffer>);
      return new RefineSums(memory, new WebAssembly.Instance(module, { env: { memory } }).exports.sums as SumsFn);
    } catch {
      return null; // no WebAssembly here: the JS loop
    }
  }

  /** Copies A, B and B's central differences (`dx`, `dy`, B's layout) in for the steps of one refinement. */
  load(a: SumsPlane, b: SumsPlane, dx: Float32Array, dy: Float32Array): void {
    const [na, nb] = [a.data.length, b.data.length];
    const out = 4 * (na + 3 * nb);
    const need = out + 8 * SUM_VALUES;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    const buffer = this.memory.buffer;
    const layout = { a: 0, b: 4 * na, dx: 4 * (na + nb), dy: 4 * (na + 2 * nb), out: (out + 7) & ~7 };
    new Float32Array(buffer, layout.a, na).set(a.data);
    new Float32Array(buffer, layout.b, nb).set(b.data);
    new Float32Array(buffer, layout.dx, nb).set(dx);
    new Float32Array(buffer, layout.dy, nb).set(dy);
    this.layout = { ...layout, aw: a.width, ah: a.height, width: b.width, height: b.height };
    if (this.view?.buffer !== buffer || this.view.byteOffset !== layout.out)
      this.view = new Float64Array(buffer, layout.out, SUM_VALUES);
  }

  /** The loaded planes' sums under `warp`, `gain` and `bias`: the SUMS in order, then the overlap's count. */
  step(warp: { a: number; b: number; tx: number; ty: number }, gain: number, bias: number): Float64Array {
    const l = this.layout;
    this.sums(l.a, l.aw, l.ah, l.b, l.dx, l.dy, l.width, l.height, warp.a, warp.b, warp.tx, warp.ty, gain, bias, l.out);
    return this.view!;
  }
}
