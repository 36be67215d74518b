/**
 * A small ONNX graph writer: builds a ModelProto and serialises it with protobufjs' low-level Writer.
 *
 * We write the wire format by hand (field numbers from onnx/onnx.proto3) instead of loading a .proto
 * file so that the output is byte-for-byte deterministic and the module has no runtime file lookups.
 *
 * Attribute typing (ONNX distinguishes INT/FLOAT/INTS/FLOATS, JavaScript does not):
 * - a plain `number` is an INT when it is an integer, else a FLOAT; a `number[]` is INTS when every
 *   element is an integer, else FLOATS; a `Float32Array` is always FLOATS; a `string` is a STRING.
 * - to force a type, wrap the value: `{ f: 1 }` (FLOAT), `{ i: 3 }` (INT), `{ floats: [1, 2] }`,
 *   `{ ints: [0] }`, `{ strings: ['a'] }`, `{ tensor: { dtype, data, dims } }` (TENSOR, e.g. for
 *   ConstantOfShape's `value`). Use `{ f: … }` for float attributes whose value happens to be whole
 *   (Gemm's alpha = 1, Clip-free activations like LeakyRelu's alpha = 0 …).
 */
import protobuf from 'protobufjs/minimal.js';

export type DType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'bool';

/** float16 values travel as their IEEE binary16 bit patterns in a Uint16Array (see `toFloat16Bits`). */
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;

export interface TensorAttribute {
  dtype: DType;
  data: TensorData;
  dims: number[];
}

export type AttributeValue =
  | number
  | number[]
  | string
  | Float32Array
  | { f: number }
  | { i: number }
  | { floats: number[] | Float32Array }
  | { ints: number[] }
  | { strings: string[] }
  | { tensor: TensorAttribute };

/** onnx.TensorProto.DataType values. */
const DATA_TYPE: Record<DType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 };

/** onnx.AttributeProto.AttributeType values. */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** The IR version that introduced each opset range (onnx/docs/Versioning.md); onnxruntime 1.30 reads IR ≤ 11. */
function irVersionForOpset(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

const DEFAULT_OPSET = 17;

interface ValueInfo {
  name: string;
  dtype: DType;
  shape: (number | string)[];
}

interface Initializer {
  name: string;
  dtype: DType;
  data: TensorData;
  dims: number[];
}

interface NodeDef {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: [string, AttributeValue][];
  name: string;
  domain: string;
}

export interface ToBytesOptions {
  opset?: number;
  producer?: string;
  producerVersion?: string;
  /** Stored as metadata_props, written in sorted key order so that the bytes do not depend on insertion order. */
  metadata?: Record<string, string>;
  docString?: string;
  modelVersion?: number;
}

function dtypeOfArray(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint16Array) return 'float16';
  return 'uint8';
}

/** IEEE binary16 bit patterns of float32 values, rounded to nearest even (for compact float16 initializers). */
export function toFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
      continue;
    }
    const e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00; // overflow → Inf
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // underflow → ±0
        continue;
      }
      mantissa |= 0x800000; // subnormal: shift the implicit bit in
      const shift = 14 - e;
      let half = mantissa >>> shift;
      const rest = mantissa & ((1 << shift) - 1);
      const midpoint = 1 << (shift - 1);
      if (rest > midpoint || (rest === midpoint && half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent is still correct
    out[i] = sign | half;
  }
  return out;
}

function elementCount(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Little-endian bytes of a typed array (every supported platform is little-endian; assert it once). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function rawBytes(data: TensorData): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('ONNX raw_data is little-endian; big-endian hosts are not supported');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

type Writer = protobuf.Writer;

/** Writes a length-delimited sub-message under `field`. */
function message(w: Writer, field: number, body: (w: Writer) => void): void {
  w.uint32((field << 3) | 2).fork();
  body(w);
  w.ldelim();
}

function stringField(w: Writer, field: number, value: string): void {
  w.uint32((field << 3) | 2).string(value);
}

function int64Field(w: Writer, field: number, value: number): void {
  w.uint32(field << 3).int64(value);
}

function writeTensor(w: Writer, name: string, dtype: DType, data: TensorData, dims: number[]): void {
  for (const d of dims) int64Field(w, 1, d);
  w.uint32(2 << 3).int32(DATA_TYPE[dtype]);
  stringField(w, 8, name);
  w.uint32((9 << 3) | 2).bytes(rawBytes(data));
}

function writeValueInfo(w: Writer, v: ValueInfo): void {
  stringField(w, 1, v.name);
  message(w, 2, (type) =>
    message(type, 1, (tensorType) => {
      tensorType.uint32(1 << 3).int32(DATA_TYPE[v.dtype]);
      message(tensorType, 2, (shape) => {
        for (const d of v.shape) {
          message(shape, 1, (dim) => {
            if (typeof d === 'number') int64Field(dim, 1, d);
            else stringField(dim, 2, d);
          });
        }
      });
    }),
  );
}

function isIntegerList(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i])) return false;
  return true;
}

function writeAttribute(w: Writer, name: string, value: AttributeValue): void {
  stringField(w, 1, name);
  const floats = (list: ArrayLike<number>) => {
    // packed repeated float (field 7)
    w.uint32((7 << 3) | 2).fork();
    for (let i = 0; i < list.length; i++) w.float(list[i]);
    w.ldelim();
    w.uint32(20 << 3).int32(ATTR.FLOATS);
  };
  const ints = (list: ArrayLike<number>) => {
    w.uint32((8 << 3) | 2).fork();
    for (let i = 0; i < list.length; i++) w.int64(list[i]);
    w.ldelim();
    w.uint32(20 << 3).int32(ATTR.INTS);
  };
  const float = (f: number) =>
    w
      .uint32((2 << 3) | 5)
      .float(f)
      .uint32(20 << 3)
      .int32(ATTR.FLOAT);
  const int = (i: number) =>
    w
      .uint32(3 << 3)
      .int64(i)
      .uint32(20 << 3)
      .int32(ATTR.INT);

  if (value === null || value === undefined) {
    throw new Error(`attribute ${name}: unsupported value ${String(value)}`);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) int(value);
    else float(value);
  } else if (typeof value === 'string') {
    w.uint32((4 << 3) | 2).bytes(new TextEncoder().encode(value));
    w.uint32(20 << 3).int32(ATTR.STRING);
  } else if (value instanceof Float32Array) {
    floats(value);
  } else if (Array.isArray(value)) {
    if (isIntegerList(value)) ints(value);
    else floats(value);
  } else if ('f' in value) {
    float(value.f);
  } else if ('i' in value) {
    if (!Number.isInteger(value.i)) throw new Error(`attribute ${name}: {i} must be an integer`);
    int(value.i);
  } else if ('floats' in value) {
    floats(value.floats);
  } else if ('ints' in value) {
    if (!isIntegerList(value.ints)) throw new Error(`attribute ${name}: {ints} must be integers`);
    ints(value.ints);
  } else if ('strings' in value) {
    for (const s of value.strings) w.uint32((9 << 3) | 2).bytes(new TextEncoder().encode(s));
    w.uint32(20 << 3).int32(ATTR.STRINGS);
  } else if ('tensor' in value) {
    const t = value.tensor;
    message(w, 5, (tw) => writeTensor(tw, '', t.dtype, t.data, t.dims));
    w.uint32(20 << 3).int32(ATTR.TENSOR);
  } else {
    throw new Error(`attribute ${name}: unsupported value`);
  }
}

/** Accumulates inputs, outputs, initializers and nodes, then serialises one ModelProto. */
export class GraphBuilder {
  readonly name: string;
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: NodeDef[] = [];
  private readonly names = new Set<string>();
  private nodeCounter = 0;
  private uniqueCounter = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Declares a graph input; returns its name for use as a node input. */
  input(name: string, dtype: DType, shape: (number | string)[]): string {
    this.claim(name);
    this.inputs.push({ name, dtype, shape: [...shape] });
    return name;
  }

  /** Declares a graph output (a value some node produces). */
  output(name: string, dtype: DType, shape: (number | string)[]): void {
    this.outputs.push({ name, dtype, shape: [...shape] });
  }

  /**
   * Adds a constant tensor. The dtype follows the array type (Uint8Array → uint8); pass `dtype: 'bool'`
   * with a Uint8Array of 0/1 for booleans.
   */
  initializer(name: string, data: TensorData, dims: number[], dtype: DType = dtypeOfArray(data)): string {
    if (elementCount(dims) !== data.length) {
      throw new Error(`initializer ${name}: ${data.length} values do not fill dims [${dims.join(', ')}]`);
    }
    if (dtype === 'bool' && !(data instanceof Uint8Array))
      throw new Error(`initializer ${name}: bool needs a Uint8Array`);
    this.claim(name);
    this.initializers.push({ name, dtype, data, dims: [...dims] });
    return name;
  }

  /** Adds a node; `inputs` may contain '' for an omitted optional input. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes: Record<string, AttributeValue> = {},
    name?: string,
    domain = '',
  ): void {
    // Serialise the attributes once now so that a bad value fails at the call that added it.
    for (const [key, value] of Object.entries(attributes)) writeAttribute(protobuf.Writer.create(), key, value);
    for (const o of outputs) this.claim(o);
    this.nodes.push({
      opType,
      inputs: [...inputs],
      outputs: [...outputs],
      attributes: Object.entries(attributes),
      name: name ?? `${opType}_${this.nodeCounter}`,
      domain,
    });
    this.nodeCounter++;
  }

  /** A fresh value name with the given prefix, for intermediate results. */
  uniqueName(prefix: string): string {
    let candidate: string;
    do candidate = `${prefix}__${this.uniqueCounter++}`;
    while (this.names.has(candidate));
    return candidate;
  }

  /** Serialised ModelProto. The same calls always give the same bytes. */
  toBytes(options: ToBytesOptions = {}): Uint8Array {
    const opset = options.opset ?? DEFAULT_OPSET;
    if (opset < 17) throw new Error(`opset ${opset} is below the supported minimum of 17`);
    const declared = new Set([...this.inputs.map((i) => i.name), ...this.initializers.map((i) => i.name)]);
    for (const n of this.nodes) for (const o of n.outputs) declared.add(o);
    for (const o of this.outputs) {
      if (!declared.has(o.name)) throw new Error(`output ${o.name} is produced by no node, input or initializer`);
    }

    const w = protobuf.Writer.create();
    int64Field(w, 1, irVersionForOpset(opset)); // ir_version
    stringField(w, 2, options.producer ?? 'lookalike');
    if (options.producerVersion) stringField(w, 3, options.producerVersion);
    if (options.modelVersion !== undefined) int64Field(w, 5, options.modelVersion);
    if (options.docString) stringField(w, 6, options.docString);
    message(w, 7, (g) => this.writeGraph(g));
    const domains = new Set(this.nodes.map((n) => n.domain).filter((d) => d !== ''));
    message(w, 8, (o) => {
      stringField(o, 1, '');
      int64Field(o, 2, opset);
    });
    for (const domain of [...domains].sort()) {
      message(w, 8, (o) => {
        stringField(o, 1, domain);
        int64Field(o, 2, 1);
      });
    }
    for (const key of Object.keys(options.metadata ?? {}).sort()) {
      message(w, 14, (e) => {
        stringField(e, 1, key);
        stringField(e, 2, options.metadata![key]);
      });
    }
    return w.finish();
  }

  private writeGraph(g: Writer): void {
    for (const n of this.nodes) {
      message(g, 1, (nw) => {
        for (const i of n.inputs) stringField(nw, 1, i);
        for (const o of n.outputs) stringField(nw, 2, o);
        stringField(nw, 3, n.name);
        stringField(nw, 4, n.opType);
        for (const [key, value] of n.attributes) message(nw, 5, (aw) => writeAttribute(aw, key, value));
        if (n.domain) stringField(nw, 7, n.domain);
      });
    }
    stringField(g, 2, this.name);
    for (const t of this.initializers) message(g, 5, (tw) => writeTensor(tw, t.name, t.dtype, t.data, t.dims));
    for (const v of this.inputs) message(g, 11, (vw) => writeValueInfo(vw, v));
    for (const v of this.outputs) message(g, 12, (vw) => writeValueInfo(vw, v));
  }

  private claim(name: string): void {
    if (!name) throw new Error('value names must be non-empty');
    if (this.names.has(name)) throw new Error(`value ${name} is defined twice`);
    this.names.add(name);
  }
}
