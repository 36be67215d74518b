/**
 * The raw-image head's convolution stack as ONNX nodes, shared by the training graphs (weights are graph
 * inputs) and the exported head (weights are initializers): reshape to [n, 1, H, W], then one or two
 * 5×5 convolutions (padding 2) each followed by ReLU and a 2×2 max-pool, then flatten.
 *
 * Tensor names (the backward graph reads them): `image`; layer 1 `wc`, `bc`, `conv`, `pooled`,
 * `pool_indices`; layer 2 `wc2`, `bc2`, `conv2`, `pooled2`, `pool2_indices`; output `features`.
 */
import type { GraphBuilder } from '../model/onnx/graph.js';
import { CONV_KERNEL, type HeadArchitecture } from './head.js';

/** Declares a weight: as a graph input (training) or an initializer holding `data` (export). */
export type DeclareWeight = (name: string, dims: number[], data: Float32Array) => void;

export interface ConvWeights {
  convWeights: Float32Array;
  convBias: Float32Array;
  conv2Weights: Float32Array;
  conv2Bias: Float32Array;
}

/** Adds the stack reading `input` [n, H·W]; returns the name of the flattened features. */
export function addConvStack(
  g: GraphBuilder,
  conv: NonNullable<HeadArchitecture['conv']>,
  input: string,
  declare: DeclareWeight,
  weights: ConvWeights,
  withIndices: boolean,
): string {
  const { filters, filters2, width, height } = conv;
  const kernel = { kernel_shape: [CONV_KERNEL, CONV_KERNEL], pads: [2, 2, 2, 2] };
  const pool = { kernel_shape: [2, 2], strides: [2, 2] };
  declare('wc', [filters, 1, CONV_KERNEL, CONV_KERNEL], weights.convWeights);
  declare('bc', [filters], weights.convBias);
  g.node(
    'Reshape',
    [input, g.initializer('image_shape', BigInt64Array.of(-1n, 1n, BigInt(height), BigInt(width)), [4])],
    ['image'],
  );
  g.node('Conv', ['image', 'wc', 'bc'], ['conv_pre'], kernel);
  g.node('Relu', ['conv_pre'], ['conv']);
  g.node('MaxPool', ['conv'], withIndices ? ['pooled', 'pool_indices'] : ['pooled'], pool);
  let last = 'pooled';
  if (filters2) {
    declare('wc2', [filters2, filters, CONV_KERNEL, CONV_KERNEL], weights.conv2Weights);
    declare('bc2', [filters2], weights.conv2Bias);
    g.node('Conv', ['pooled', 'wc2', 'bc2'], ['conv2_pre'], kernel);
    g.node('Relu', ['conv2_pre'], ['conv2']);
    g.node('MaxPool', ['conv2'], withIndices ? ['pooled2', 'pool2_indices'] : ['pooled2'], pool);
    last = 'pooled2';
  }
  g.node('Flatten', [last], ['features'], { axis: 1 });
  return 'features';
}
