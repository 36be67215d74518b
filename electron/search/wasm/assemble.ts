/**
 * The few pieces of the WebAssembly binary format the project's hand-assembled kernels need
 * (electron/search/index/wasm-hamming.ts, electron/search/pixels/wasm-dot.ts, electron/search/pixels/wasm-refine.ts): opcodes, LEB128 numbers, sections
 * and names. The modules are a few hundred bytes built at load time, so no toolchain is needed.
 */

/** Opcodes (WebAssembly core spec, binary format); `simd` ones follow the 0xfd prefix (SIMD_PREFIX). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Load8U: 0x2d,
  i32Store: 0x36,
  f64Store: 0x39,
  i32Store8: 0x3a,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  f64Lt: 0x63,
  f64Ge: 0x66,
  i32Popcnt: 0x69,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i64Popcnt: 0x7b,
  i64Xor: 0x85,
  f64Floor: 0x9c,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64Min: 0xa4,
  f64Max: 0xa5,
  i32WrapI64: 0xa7,
  i32TruncF64S: 0xaa,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
} as const;

export const SIMD_PREFIX = 0xfd;
/** SIMD opcodes (after SIMD_PREFIX, as LEB128). */
export const SIMD = {
  v128Load: 0x00,
  f64x2ExtractLane: 0x21,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
} as const;

export const VOID_BLOCK = 0x40;
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** A SIMD instruction: the prefix, then its opcode as LEB128. */
export function simd(opcode: number): number[] {
  return [SIMD_PREFIX, ...uleb(opcode)];
}

export function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

export function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** A function body with its byte size in front, as the code section holds it. */
export function withSize(body: number[]): number[] {
  return [...uleb(body.length), ...body];
}

/** The 8-byte preamble of every module: magic and version 1. */
export const MODULE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00] as const;
