/**
 * Writes a trained head as a self-contained ONNX model the encoder can compose after the backbone:
 * input `descriptor` [n, D] → standardise → (dense + ReLU) → dense (→ DRLIH's sequential policy, unrolled) → `logits` [n, K] and
 * `bits` [n, K] (1.0 where logit > 0). Version and training facts travel in the model's metadata.
 */
import { createHash } from 'node:crypto';
import { GraphBuilder } from '../../model/onnx/graph.js';
import { addConvStack, type DeclareWeight } from './conv-graph.js';
import { featureDim, outputInputDim, type ConvLayer, type HeadParameters } from './head.js';
import { addRecurrence, sequentialArrays, type SequentialArchitecture } from './sequential.js';
import type { Method } from '../loop/training-options.js';

export const HEAD_FORMAT = 'lookalike-hash-head';
export const HEAD_FORMAT_VERSION = 1;

export interface HeadMetadata {
  format: typeof HEAD_FORMAT;
  formatVersion: number;
  /** Content hash of the weights: codes record it, and a code made by another version is stale. */
  version: string;
  method: Method;
  bits: number;
  inputDim: number;
  hiddenDim: number;
  /** A raw-image head's convolution stack (empty for descriptor heads). */
  convLayers: ConvLayer[];
  divideAndEncode: boolean;
  /** DRLIH's sequential policy after the layers (absent: the layers' logits are the code). */
  sequential?: SequentialArchitecture;
  /** What it was trained on (e.g. "mnist: 5000 raw-pixel images, 10 classes"). */
  data: string;
  metrics: Record<string, number>;
  trainedAt: string;
}

export function headVersion(head: HeadParameters): string {
  const hash = createHash('sha256');
  for (const array of [
    head.inputMean,
    head.inputScale,
    ...head.conv.flatMap(({ weights, bias }) => [weights, bias]),
    head.hiddenWeights,
    head.hiddenBias,
    head.outputWeights,
    head.outputBias,
    ...(head.sequential ? sequentialArrays(head.sequential) : []),
  ])
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return `head-${hash.digest('hex').slice(0, 16)}`;
}

export function exportHead(
  head: HeadParameters,
  facts: { method: Method; data: string; metrics: Record<string, number>; trainedAt?: Date },
): { onnx: Uint8Array; metadata: HeadMetadata } {
  const a = head.architecture;
  const metadata: HeadMetadata = {
    format: HEAD_FORMAT,
    formatVersion: HEAD_FORMAT_VERSION,
    version: headVersion(head),
    method: facts.method,
    bits: a.bits,
    inputDim: a.inputDim,
    hiddenDim: a.hiddenDim,
    convLayers: a.conv?.layers ?? [],
    divideAndEncode: a.divideAndEncode,
    ...(a.sequential ? { sequential: a.sequential } : {}),
    data: facts.data,
    metrics: facts.metrics,
    trainedAt: (facts.trainedAt ?? new Date()).toISOString(),
  };
  const g = new GraphBuilder('hash_head');
  g.input('descriptor', 'float32', ['n', a.inputDim]);
  g.initializer('input_mean', head.inputMean, [a.inputDim]);
  g.initializer('input_scale', head.inputScale, [a.inputDim]);
  g.node('Sub', ['descriptor', 'input_mean'], ['centred']);
  g.node('Mul', ['centred', 'input_scale'], ['standardised']);
  let features = 'standardised';
  if (a.conv) {
    const declare: DeclareWeight = (name, dims, data) => g.initializer(name, data, dims);
    features = addConvStack(g, a.conv, 'standardised', declare, head.conv, false);
  }
  let layerInput = features;
  if (a.hiddenDim > 0) {
    g.initializer('w1', head.hiddenWeights, [featureDim(a), a.hiddenDim]);
    g.initializer('b1', head.hiddenBias, [a.hiddenDim]);
    g.node('Gemm', [features, 'w1', 'b1'], ['hidden_pre'], { alpha: { f: 1 }, beta: { f: 1 } });
    g.node('Relu', ['hidden_pre'], ['hidden']);
    layerInput = 'hidden';
  }
  g.initializer('w2', head.outputWeights, [outputInputDim(a), a.bits]);
  g.initializer('b2', head.outputBias, [a.bits]);
  g.node('Gemm', [layerInput, 'w2', 'b2'], [a.sequential ? 'layer_logits' : 'logits'], {
    alpha: { f: 1 },
    beta: { f: 1 },
  });
  if (a.sequential) {
    // The policy decides each action group in turn (greedy), unrolled: its logits' signs are the code.
    const policy = head.sequential;
    if (!policy) throw new Error('a head with a sequential policy needs its weights');
    const data = { seq_a: policy.a, seq_b: policy.b, seq_c: policy.c, seq_v: policy.v };
    const out = addRecurrence(g, a.sequential, a.bits, 'layer_logits', 'greedy', (name, dims) =>
      g.initializer(name, data[name], dims),
    );
    g.node('Identity', [out.logits], ['logits']);
  }
  g.initializer('zero', Float32Array.of(0), []);
  g.node('Greater', ['logits', 'zero'], ['positive']);
  g.node('Cast', ['positive'], ['bits'], { to: 1 });
  g.output('logits', 'float32', ['n', a.bits]);
  g.output('bits', 'float32', ['n', a.bits]);
  const onnx = g.toBytes({
    metadata: { lookalike: JSON.stringify(metadata), version: metadata.version, bits: String(a.bits) },
    docString: `Lookalike ${a.bits}-bit hashing head (${facts.method}) trained on ${facts.data}`,
  });
  return { onnx, metadata };
}
