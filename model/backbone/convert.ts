/**
 * Converts a Keras model from nsfwjs (MobileNetV2, InceptionV3) into an ONNX backbone that maps uint8 pixels
 * to a descriptor.
 *
 * Graph: `pixels` uint8 [N, S, S, 3] (RGB, NHWC as decoded) → float, scaled to the input range →
 * NCHW → the Keras layers up to the deepest layer the descriptor reads → pooled parts → `descriptor`
 * float [N, D]. Each pooled block (a global pool or one region) is L2-normalised on its own and the
 * concatenation is scaled by 1/√blocks, so every block weighs the same and the descriptor has unit norm.
 *
 * Exactness: spatial sizes are static (one model per input size), so Keras "same" padding is turned into
 * explicit pads computed the way TensorFlow does it (for stride 2 and an even input the extra row/column
 * goes at the bottom/right), and ZeroPadding2D is folded into the following convolution's pads.
 * BatchNormalization is folded into the preceding convolution unless that convolution's raw output is
 * itself exposed. Keras "same" average pooling excludes the padding from the count (AveragePool
 * count_include_pad=0); "same" max pooling pads with −∞ (ONNX MaxPool ignores its pads).
 */
import { GraphBuilder } from '../onnx/graph.js';
import type { KerasLayer, KerasModel, KerasWeight } from './keras.js';

/** Every pooling a descriptor part can use. */
export const POOLINGS = ['gap', 'gmp', 'gem', 'regions2x2'] as const;
export type Pooling = (typeof POOLINGS)[number];
/** `unit`: pixels / 255 ∈ [0, 1] (what nsfwjs feeds); `signed`: pixels / 127.5 − 1 ∈ [−1, 1] (Keras' MobileNetV2). */
export type InputRange = 'unit' | 'signed';

export interface DescriptorPart {
  layer: string;
  pooling: Pooling;
}

export interface BackboneSpec {
  inputSize: number;
  inputRange: InputRange;
  parts: DescriptorPart[];
  /** GeM exponent (default 3). */
  gemP?: number;
}

export interface ConvertOptions {
  /** Also output each listed layer's raw feature map as `map:<layer>` (NHWC), for equivalence tests. */
  featureMaps?: string[];
  metadata?: Record<string, string>;
}

export interface ConvertedBackbone {
  bytes: Uint8Array;
  descriptorDim: number;
  /** [H, W, C] of every exposed layer. */
  layerShapes: Record<string, [number, number, number]>;
}

/** The output name under which `featureMaps` exposes a layer's NHWC feature map. */
export function featureMapName(layer: string): string {
  return `map:${layer}`;
}

/** Blocks a pooling produces per channel set: 1 global, or 1 global + 4 regions. */
export function poolingBlocks(pooling: Pooling): number {
  return pooling === 'regions2x2' ? 5 : 1;
}

const BN_DEFAULT_EPSILON = 1e-3;
const NORM_EPSILON = 1e-12;

interface Value {
  name: string;
  /** NCHW without the batch: [C, H, W]. */
  shape: [number, number, number];
}

interface PendingConv {
  layer: KerasLayer;
  input: Value;
  pads: [number, number, number, number]; // top, left, bottom, right
}

function weight(model: KerasModel, name: string): KerasWeight {
  const w = model.weights.get(name);
  if (!w) throw new Error(`missing weight ${name}`);
  return w;
}

/** BatchNormalization statistics; `scale: false` / `center: false` layers store no gamma / beta (1 and 0). */
function batchNormParams(model: KerasModel, bn: KerasLayer, channels: number) {
  const optional = (suffix: string, present: boolean, fill: number) =>
    present ? weight(model, `${bn.name}/${suffix}`).data : new Float32Array(channels).fill(fill);
  return {
    gamma: optional('gamma', bn.config.scale !== false, 1),
    beta: optional('beta', bn.config.center !== false, 0),
    mean: weight(model, `${bn.name}/moving_mean`).data,
    variance: weight(model, `${bn.name}/moving_variance`).data,
    epsilon: Number(bn.config.epsilon ?? BN_DEFAULT_EPSILON),
  };
}

function pair(value: unknown, what: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2)
    throw new Error(`${what}: expected a pair, got ${JSON.stringify(value)}`);
  return [Number(value[0]), Number(value[1])];
}

/** TensorFlow's SAME padding along one axis: output = ceil(in / stride), extra padding after. */
export function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export function convertBackbone(
  model: KerasModel,
  spec: BackboneSpec,
  options: ConvertOptions = {},
): ConvertedBackbone {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const consumers = new Map<string, string[]>();
  for (const l of model.layers) for (const i of l.inbound) consumers.set(i, [...(consumers.get(i) ?? []), l.name]);
  const exposed = new Set([...spec.parts.map((p) => p.layer), ...(options.featureMaps ?? [])]);
  for (const name of exposed) if (!byName.has(name)) throw new Error(`unknown layer ${name}`);

  // Only the layers some exposed layer depends on are converted.
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const i of byName.get(name)!.inbound) visit(i);
  };
  for (const name of exposed) visit(name);
  const onlyConsumer = (name: string): KerasLayer | null => {
    const c = (consumers.get(name) ?? []).filter((n) => needed.has(n));
    return c.length === 1 && !exposed.has(name) ? byName.get(c[0])! : null;
  };

  const g = new GraphBuilder(`backbone_${model.name}`);
  g.input('pixels', 'uint8', ['batch', spec.inputSize, spec.inputSize, 3]);
  const values = new Map<string, Value>();
  const pendingPads = new Map<string, { source: Value; pads: [number, number, number, number] }>();
  const skipped = new Set<string>(); // BN layers folded into their convolution
  if (model.layers.some((l) => needed.has(l.name) && l.className === 'ReLU')) {
    g.initializer('relu6_min', new Float32Array([0]), []);
    g.initializer('relu6_max', new Float32Array([6]), []);
  }

  for (const layer of model.layers) {
    if (!needed.has(layer.name) || skipped.has(layer.name)) continue;
    const input = () => {
      const v = values.get(layer.inbound[0]);
      if (!v) throw new Error(`${layer.name}: input ${layer.inbound[0]} was not converted`);
      return v;
    };
    switch (layer.className) {
      case 'InputLayer':
        values.set(layer.name, preprocess(g, spec));
        break;
      case 'ZeroPadding2D': {
        const [[top, bottom], [left, right]] = layer.config.padding as [[number, number], [number, number]];
        const consumer = onlyConsumer(layer.name);
        const source = input();
        if (consumer && (consumer.className === 'Conv2D' || consumer.className === 'DepthwiseConv2D')) {
          pendingPads.set(layer.name, { source, pads: [top, left, bottom, right] });
        } else {
          const pads = g.initializer(
            `${layer.name}/pads`,
            new BigInt64Array([0, 0, top, left, 0, 0, bottom, right].map(BigInt)),
            [8],
          );
          g.node('Pad', [source.name, pads], [layer.name], {}, layer.name);
          values.set(layer.name, {
            name: layer.name,
            shape: [source.shape[0], source.shape[1] + top + bottom, source.shape[2] + left + right],
          });
        }
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const pending = pendingPads.get(layer.inbound[0]);
        const conv: PendingConv = pending
          ? { layer, input: pending.source, pads: pending.pads }
          : { layer, input: input(), pads: [0, 0, 0, 0] };
        const bn = onlyConsumer(layer.name);
        const fold = bn && bn.className === 'BatchNormalization' ? bn : null;
        if (fold) skipped.add(fold.name);
        const out = convolution(g, model, conv, fold);
        values.set(layer.name, out);
        if (fold) values.set(fold.name, out);
        break;
      }
      case 'BatchNormalization': {
        const x = input();
        const c = x.shape[0];
        const { gamma, beta, mean, variance, epsilon } = batchNormParams(model, layer, c);
        for (const [suffix, data] of [
          ['gamma', gamma],
          ['beta', beta],
          ['mean', mean],
          ['var', variance],
        ] as const) {
          g.initializer(`${layer.name}/${suffix}`, data, [c]);
        }
        g.node(
          'BatchNormalization',
          [x.name, `${layer.name}/gamma`, `${layer.name}/beta`, `${layer.name}/mean`, `${layer.name}/var`],
          [layer.name],
          { epsilon: { f: epsilon } },
          layer.name,
        );
        values.set(layer.name, { name: layer.name, shape: x.shape });
        break;
      }
      case 'ReLU': {
        const x = input();
        const { max_value: maxValue, negative_slope: slope, threshold } = layer.config as Record<string, number | null>;
        if ((slope ?? 0) !== 0 || (threshold ?? 0) !== 0)
          throw new Error(`${layer.name}: only plain ReLU/ReLU6 is supported`);
        if (maxValue === 6) g.node('Clip', [x.name, 'relu6_min', 'relu6_max'], [layer.name], {}, layer.name);
        else if (maxValue === null || maxValue === undefined) g.node('Relu', [x.name], [layer.name], {}, layer.name);
        else throw new Error(`${layer.name}: ReLU max_value ${maxValue} unsupported`);
        values.set(layer.name, { name: layer.name, shape: x.shape });
        break;
      }
      case 'Activation': {
        const x = input();
        if (layer.config.activation !== 'relu')
          throw new Error(`${layer.name}: activation ${String(layer.config.activation)} unsupported`);
        g.node('Relu', [x.name], [layer.name], {}, layer.name);
        values.set(layer.name, { name: layer.name, shape: x.shape });
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        values.set(layer.name, pooling2d(g, layer, input()));
        break;
      case 'Concatenate': {
        const parts = layer.inbound.map((n) => values.get(n)!);
        const axis = Number(layer.config.axis ?? -1);
        const [, h, w] = parts[0].shape;
        if ((axis !== -1 && axis !== 3) || parts.some((p) => p.shape[1] !== h || p.shape[2] !== w))
          throw new Error(`${layer.name}: only channel concatenation of equal-sized maps is supported`);
        g.node(
          'Concat',
          parts.map((p) => p.name),
          [layer.name],
          { axis: 1 },
          layer.name,
        );
        values.set(layer.name, { name: layer.name, shape: [parts.reduce((a, p) => a + p.shape[0], 0), h, w] });
        break;
      }
      case 'Add': {
        const [a, b] = layer.inbound.map((n) => values.get(n)!);
        g.node('Add', [a.name, b.name], [layer.name], {}, layer.name);
        values.set(layer.name, { name: layer.name, shape: a.shape });
        break;
      }
      default:
        throw new Error(`${layer.name}: layer type ${layer.className} is not supported by the converter`);
    }
  }

  const layerShapes: ConvertedBackbone['layerShapes'] = {};
  for (const name of exposed) {
    const v = values.get(name)!;
    layerShapes[name] = [v.shape[1], v.shape[2], v.shape[0]];
  }
  for (const name of options.featureMaps ?? []) {
    const v = values.get(name)!;
    g.node('Transpose', [v.name], [featureMapName(name)], { perm: [0, 2, 3, 1] });
    g.output(featureMapName(name), 'float32', ['batch', v.shape[1], v.shape[2], v.shape[0]]);
  }
  const descriptorDim = descriptorHead(g, spec, values);
  g.output('descriptor', 'float32', ['batch', descriptorDim]);
  return { bytes: g.toBytes({ opset: 17, metadata: options.metadata }), descriptorDim, layerShapes };
}

function preprocess(g: GraphBuilder, spec: BackboneSpec): Value {
  const [scale, offset] = spec.inputRange === 'unit' ? [1 / 255, 0] : [1 / 127.5, -1];
  g.initializer('input_scale', new Float32Array([scale]), []);
  g.initializer('input_offset', new Float32Array([offset]), []);
  g.node('Cast', ['pixels'], ['pixels_float'], { to: 1 });
  g.node('Mul', ['pixels_float', 'input_scale'], ['pixels_scaled']);
  g.node('Add', ['pixels_scaled', 'input_offset'], ['pixels_ranged']);
  g.node('Transpose', ['pixels_ranged'], ['input_nchw'], { perm: [0, 3, 1, 2] });
  return { name: 'input_nchw', shape: [3, spec.inputSize, spec.inputSize] };
}

/** A Conv2D / DepthwiseConv2D with optional folded ZeroPadding2D pads and folded BatchNormalization. */
function convolution(g: GraphBuilder, model: KerasModel, conv: PendingConv, bn: KerasLayer | null): Value {
  const { layer, input } = conv;
  const depthwise = layer.className === 'DepthwiseConv2D';
  const [kh, kw] = pair(layer.config.kernel_size, `${layer.name}.kernel_size`);
  const [sh, sw] = pair(layer.config.strides, `${layer.name}.strides`);
  const [dh, dw] = pair(layer.config.dilation_rate ?? [1, 1], `${layer.name}.dilation_rate`);
  if (layer.config.activation !== 'linear')
    throw new Error(`${layer.name}: fused activation ${String(layer.config.activation)} unsupported`);
  const [cin, hin, win] = input.shape;
  let [top, left, bottom, right] = conv.pads;
  const h = hin + top + bottom;
  const w = win + left + right;
  if (layer.config.padding === 'same') {
    const [pt, pb] = samePadding(h, kh, sh, dh);
    const [pl, pr] = samePadding(w, kw, sw, dw);
    [top, bottom, left, right] = [top + pt, bottom + pb, left + pl, right + pr];
  } else if (layer.config.padding !== 'valid') {
    throw new Error(`${layer.name}: padding ${String(layer.config.padding)} unsupported`);
  }
  const kernel = weight(model, `${layer.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`);
  const multiplier = depthwise ? Number(layer.config.depth_multiplier ?? 1) : 1;
  const cout = depthwise ? cin * multiplier : Number(layer.config.filters);
  const cinPerGroup = depthwise ? 1 : cin;
  // Keras: [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]); ONNX: [out, in/group, kh, kw].
  const onnxKernel = new Float32Array(cout * cinPerGroup * kh * kw);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let m = 0; m < (depthwise ? multiplier : cout); m++) {
          const src = ((y * kw + x) * cin + i) * (depthwise ? multiplier : cout) + m;
          const o = depthwise ? i * multiplier + m : m;
          const ci = depthwise ? 0 : i;
          onnxKernel[((o * cinPerGroup + ci) * kh + y) * kw + x] = kernel.data[src];
        }
  let bias: Float32Array | null = layer.config.use_bias ? weight(model, `${layer.name}/bias`).data.slice() : null;
  if (bn) {
    const { gamma, beta, mean, variance, epsilon } = batchNormParams(model, bn, cout);
    const folded = new Float32Array(cout);
    const per = cinPerGroup * kh * kw;
    for (let o = 0; o < cout; o++) {
      const s = gamma[o] / Math.sqrt(variance[o] + epsilon);
      for (let k = 0; k < per; k++) onnxKernel[o * per + k] *= s;
      folded[o] = beta[o] + ((bias ? bias[o] : 0) - mean[o]) * s;
    }
    bias = folded;
  }
  const name = bn ? bn.name : layer.name;
  const inputs = [input.name, g.initializer(`${layer.name}/W`, onnxKernel, [cout, cinPerGroup, kh, kw])];
  if (bias) inputs.push(g.initializer(`${layer.name}/B`, bias, [cout]));
  g.node(
    'Conv',
    inputs,
    [name],
    {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      dilations: [dh, dw],
      pads: [top, left, bottom, right],
      group: depthwise ? cin : 1,
    },
    name,
  );
  const hout = Math.floor((hin + top + bottom - ((kh - 1) * dh + 1)) / sh) + 1;
  const wout = Math.floor((win + left + right - ((kw - 1) * dw + 1)) / sw) + 1;
  return { name, shape: [cout, hout, wout] };
}

/** MaxPooling2D / AveragePooling2D (Keras' strides default to the pool size). */
function pooling2d(g: GraphBuilder, layer: KerasLayer, x: Value): Value {
  const [kh, kw] = pair(layer.config.pool_size, `${layer.name}.pool_size`);
  const [sh, sw] = layer.config.strides ? pair(layer.config.strides, `${layer.name}.strides`) : [kh, kw];
  const [c, h, w] = x.shape;
  let pads = [0, 0, 0, 0];
  if (layer.config.padding === 'same') {
    const [pt, pb] = samePadding(h, kh, sh, 1);
    const [pl, pr] = samePadding(w, kw, sw, 1);
    pads = [pt, pl, pb, pr];
  } else if (layer.config.padding !== 'valid') {
    throw new Error(`${layer.name}: padding ${String(layer.config.padding)} unsupported`);
  }
  const max = layer.className === 'MaxPooling2D';
  g.node(
    max ? 'MaxPool' : 'AveragePool',
    [x.name],
    [layer.name],
    { kernel_shape: [kh, kw], strides: [sh, sw], pads, ...(max ? {} : { count_include_pad: 0 }) },
    layer.name,
  );
  const hout = Math.floor((h + pads[0] + pads[2] - kh) / sh) + 1;
  const wout = Math.floor((w + pads[1] + pads[3] - kw) / sw) + 1;
  return { name: layer.name, shape: [c, hout, wout] };
}

/** Pools every part, L2-normalises each block, concatenates; returns the descriptor width. */
function descriptorHead(g: GraphBuilder, spec: BackboneSpec, values: Map<string, Value>): number {
  g.initializer('norm_epsilon', new Float32Array([NORM_EPSILON]), []);
  const pieces: string[] = [];
  let blocks = 0;
  let width = 0;
  spec.parts.forEach((part, index) => {
    const x = values.get(part.layer)!;
    const [c, h, w] = x.shape;
    const p = `part${index}_${part.pooling}`;
    const globalPooled = `${p}/global`; // [N, C, 1, 1]
    if (part.pooling === 'gem') {
      const power = spec.gemP ?? 3;
      g.initializer(`${p}/p`, new Float32Array([power]), []);
      g.initializer(`${p}/inv_p`, new Float32Array([1 / power]), []);
      g.initializer(`${p}/floor`, new Float32Array([1e-6]), []);
      g.node('Max', [x.name, `${p}/floor`], [`${p}/clamped`]);
      g.node('Pow', [`${p}/clamped`, `${p}/p`], [`${p}/powered`]);
      g.node('GlobalAveragePool', [`${p}/powered`], [`${p}/mean`]);
      g.node('Pow', [`${p}/mean`, `${p}/inv_p`], [globalPooled]);
    } else if (part.pooling === 'gmp') {
      g.node('GlobalMaxPool', [x.name], [globalPooled]);
    } else {
      g.node('GlobalAveragePool', [x.name], [globalPooled]);
    }
    const shapeGlobal = g.initializer(`${p}/shape_global`, new BigInt64Array([-1n, 1n, BigInt(c)]), [3]);
    g.node('Reshape', [globalPooled, shapeGlobal], [`${p}/global_rows`]);
    let rows = `${p}/global_rows`;
    let count = 1;
    if (part.pooling === 'regions2x2') {
      // 2×2 grid of average pools (overlapping by one cell when the map size is odd).
      g.node('AveragePool', [x.name], [`${p}/regions`], {
        kernel_shape: [Math.ceil(h / 2), Math.ceil(w / 2)],
        strides: [Math.floor(h / 2), Math.floor(w / 2)],
      });
      g.node('Transpose', [`${p}/regions`], [`${p}/regions_nhwc`], { perm: [0, 2, 3, 1] });
      const shapeRegions = g.initializer(`${p}/shape_regions`, new BigInt64Array([-1n, 4n, BigInt(c)]), [3]);
      g.node('Reshape', [`${p}/regions_nhwc`, shapeRegions], [`${p}/region_rows`]);
      g.node('Concat', [rows, `${p}/region_rows`], [`${p}/rows`], { axis: 1 });
      rows = `${p}/rows`;
      count = 5;
    }
    g.node('ReduceL2', [rows], [`${p}/norm`], { axes: [-1], keepdims: 1 });
    g.node('Max', [`${p}/norm`, 'norm_epsilon'], [`${p}/safe_norm`]);
    g.node('Div', [rows, `${p}/safe_norm`], [`${p}/unit_rows`]);
    const flat = g.initializer(`${p}/shape_flat`, new BigInt64Array([-1n, BigInt(count * c)]), [2]);
    g.node('Reshape', [`${p}/unit_rows`, flat], [`${p}/flat`]);
    pieces.push(`${p}/flat`);
    blocks += count;
    width += count * c;
  });
  g.initializer('block_weight', new Float32Array([1 / Math.sqrt(blocks)]), []);
  if (pieces.length > 1) g.node('Concat', pieces, ['descriptor_raw'], { axis: 1 });
  g.node('Mul', [pieces.length > 1 ? 'descriptor_raw' : pieces[0], 'block_weight'], ['descriptor']);
  return width;
}
