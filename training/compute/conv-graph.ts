/**
 * The raw-image head's convolution stack as ONNX nodes, shared by the training graphs (weights are graph
 * inputs) and the exported head (weights are initializers): reshape to [n, 1, H, W], then each layer's
 * k×k convolution ("same" padding, (k − 1)/2 on every side) and ReLU, and its 2×2 max-pool if it has one;
 * then flatten.
 *
 * Tensor names (the backward graph reads them): `image`; layer i (from 1) `wc{i}`, `bc{i}`, `conv{i}`
 * (after the ReLU), `pooled{i}` and `pool{i}_indices` (pooled layers only); output `features`.
 */
import type { GraphBuilder } from '../../model/onnx/graph.js';
import { convShapes, type ConvParameters, type HeadArchitecture } from './head.js';

/** Declares a weight: as a graph input (training) or an initializer holding `data` (export). */
export type DeclareWeight = (name: string, dims: number[], data: Float32Array) => void;

export type ConvStack = NonNullable<HeadArchitecture['conv']>;

export interface ConvLayerNames {
  weights: string;
  bias: string;
  relu: string;
  pooled: string;
  indices: string;
  /** What the next layer (or the flatten) reads. */
  output: string;
  /** What this layer reads. */
  input: string;
  weightDims: number[];
  convAttributes: { kernel_shape: number[]; pads: number[] };
}

/** Names and shapes of layer i (0-based) as the stack lays them out. */
export function convLayerNames(stack: ConvStack, i: number): ConvLayerNames {
  const layer = stack.layers[i]!;
  const n = i + 1;
  const pad = (layer.kernel - 1) / 2;
  return {
    weights: `wc${n}`,
    bias: `bc${n}`,
    relu: `conv${n}`,
    pooled: `pooled${n}`,
    indices: `pool${n}_indices`,
    output: layer.pool ? `pooled${n}` : `conv${n}`,
    input: i === 0 ? 'image' : convLayerNames(stack, i - 1).output,
    weightDims: [layer.filters, convShapes(stack).inChannels[i]!, layer.kernel, layer.kernel],
    convAttributes: { kernel_shape: [layer.kernel, layer.kernel], pads: [pad, pad, pad, pad] },
  };
}

export const POOL_ATTRIBUTES = { kernel_shape: [2, 2], strides: [2, 2] };

/** Adds the stack reading `input` [n, H·W]; returns the name of the flattened features. */
export function addConvStack(
  g: GraphBuilder,
  stack: ConvStack,
  input: string,
  declare: DeclareWeight,
  weights: ConvParameters[],
  withIndices: boolean,
): string {
  const { width, height } = stack;
  g.node(
    'Reshape',
    [input, g.initializer('image_shape', BigInt64Array.of(-1n, 1n, BigInt(height), BigInt(width)), [4])],
    ['image'],
  );
  stack.layers.forEach((layer, i) => {
    const names = convLayerNames(stack, i);
    declare(names.weights, names.weightDims, weights[i]?.weights ?? new Float32Array(0));
    declare(names.bias, [layer.filters], weights[i]?.bias ?? new Float32Array(0));
    g.node('Conv', [names.input, names.weights, names.bias], [`${names.relu}_pre`], names.convAttributes);
    g.node('Relu', [`${names.relu}_pre`], [names.relu]);
    if (layer.pool)
      g.node('MaxPool', [names.relu], withIndices ? [names.pooled, names.indices] : [names.pooled], POOL_ATTRIBUTES);
  });
  g.node('Flatten', [convLayerNames(stack, stack.layers.length - 1).output], ['features'], { axis: 1 });
  return 'features';
}
