/**
 * The trainer's heavy linear algebra as ONNX graphs run by onnxruntime (through model/encoder.ts):
 * head forward, the hand-built head backward, the pairwise-loss gradients of the baselines, and a
 * plain matrix product for PCA/ITQ. Weights are graph inputs, so one session serves a whole run.
 */
import { openSession, type TensorSession } from '../../model/encoder.js';
import { GraphBuilder } from '../../model/onnx/graph.js';
import type { HeadArchitecture, HeadParameters } from './head.js';
import { featureDim, outputInputDim } from './head.js';
import { addConvStack, convLayerNames, POOL_ATTRIBUTES, type DeclareWeight } from './conv-graph.js';
import { addRecurrence } from './sequential.js';

const F = 'float32';
const one = { f: 1 };
const axisZero = (g: GraphBuilder) => g.initializer(g.uniqueName('axis0'), BigInt64Array.of(0n), [1]);

/**
 * Adds the forward pass; returns the names of what the output layer reads and of the dense-layer input.
 * With `dropout`, the hidden layer's ReLU output is multiplied by the input `hidden_mask` [n, hiddenDim]
 * (inverted dropout: 0 for a dropped unit, 1/(1 − p) for a kept one; all ones to evaluate).
 */
function addForward(
  g: GraphBuilder,
  a: HeadArchitecture,
  dropout = false,
  output = 'z',
): { layerInput: string; features: string } {
  const rows = outputInputDim(a);
  g.input('x', F, ['n', a.inputDim]);
  g.input('w2', F, [rows, a.bits]);
  g.input('b2', F, [a.bits]);
  let features = 'x';
  if (a.conv) {
    const declare: DeclareWeight = (name, dims) => g.input(name, F, dims);
    features = addConvStack(g, a.conv, 'x', declare, [], true);
  }
  let layerInput = features;
  if (a.hiddenDim > 0) {
    g.input('w1', F, [featureDim(a), a.hiddenDim]);
    g.input('b1', F, [a.hiddenDim]);
    g.node('Gemm', [features, 'w1', 'b1'], ['h_pre'], { alpha: one, beta: one });
    if (dropout) {
      g.input('hidden_mask', F, ['n', a.hiddenDim]);
      g.node('Relu', ['h_pre'], ['h_relu']);
      g.node('Mul', ['h_relu', 'hidden_mask'], ['h']);
    } else {
      g.node('Relu', ['h_pre'], ['h']);
    }
    layerInput = 'h';
  }
  g.node('Gemm', [layerInput, 'w2', 'b2'], [output], { alpha: one, beta: one });
  return { layerInput, features };
}

/**
 * The head's logits z [n, bits] for inputs x: the layers' output, or with a sequential policy (DRLIH) the policy's
 * greedy logits after them (each group's bits decided in turn: training/compute/sequential.ts).
 */
export function headForwardGraph(a: HeadArchitecture, dropout = false): Uint8Array {
  const g = new GraphBuilder('head_forward');
  addForward(g, a, dropout && a.hiddenDim > 0, a.sequential ? 'z_img' : 'z');
  if (a.sequential) {
    const out = addRecurrence(g, a.sequential, a.bits, 'z_img', 'greedy', (name, dims) => g.input(name, F, dims));
    g.node('Identity', [out.logits], ['z']);
  }
  g.output('z', F, ['n', a.bits]);
  return g.toBytes();
}

/**
 * Given dL/dz, the gradients of every weight, layer by layer:
 * - output: dW2 = hᵀ·gz, db2 = Σ gz;
 * - hidden (ReLU, whose slope is sign(h) since h ≥ 0): dh = (gz·W2ᵀ) ⊙ sign(h), dW1 = featuresᵀ·dh, db1 = Σ dh
 *   (with dropout, ⊙ the mask as well);
 * - convolutions, last to first: the gradient is routed back through the layer's max-pool with MaxUnpool
 *   (to the argmax of each window), through the ReLU; the kernel gradient is the correlation of the
 *   padded layer input with that map — itself a Conv once batch and channel axes swap places — and the
 *   layer input's gradient is the ConvTranspose of that map with the kernel.
 */
export function headBackwardGraph(a: HeadArchitecture, dropout = false): Uint8Array {
  const g = new GraphBuilder('head_backward');
  const masked = dropout && a.hiddenDim > 0;
  const { layerInput, features } = addForward(g, a, masked);
  g.input('gz', F, ['n', a.bits]);
  const axis = axisZero(g);
  g.node('Gemm', [layerInput, 'gz'], ['dw2'], { alpha: one, transA: 1 });
  g.node('ReduceSum', ['gz', axis], ['db2'], { keepdims: 0 });
  g.output('dw2', F, [outputInputDim(a), a.bits]);
  g.output('db2', F, [a.bits]);
  if (!a.conv && a.hiddenDim === 0) return g.toBytes();
  // The gradient with respect to the dense layers' input (needed only to reach a convolution).
  if (a.hiddenDim > 0) {
    g.node('Gemm', ['gz', 'w2'], ['dh'], { alpha: one, transB: 1 });
    g.node('Sign', ['h'], ['relu_slope']);
    // With dropout, h = ReLU(h_pre) ⊙ mask: the slope is the mask where the unit is active (sign(h) is 0 where dropped).
    if (masked) g.node('Mul', ['relu_slope', 'hidden_mask'], ['relu_slope_masked']);
    g.node('Mul', ['dh', masked ? 'relu_slope_masked' : 'relu_slope'], ['dh_pre']);
    g.node('Gemm', [features, 'dh_pre'], ['dw1'], { alpha: one, transA: 1 });
    g.node('ReduceSum', ['dh_pre', axis], ['db1'], { keepdims: 0 });
    g.output('dw1', F, [featureDim(a), a.hiddenDim]);
    g.output('db1', F, [a.hiddenDim]);
    if (a.conv) g.node('Gemm', ['dh_pre', 'w1'], ['d_features'], { alpha: one, transB: 1 });
  } else {
    g.node('Gemm', ['gz', 'w2'], ['d_features'], { alpha: one, transB: 1 });
  }
  if (a.conv) {
    const stack = a.conv;
    const nhw = g.initializer('axes_nhw', BigInt64Array.of(0n, 2n, 3n), [3]);
    // From the last layer down: `d` is the gradient of the layer's output (flattened for the last one).
    let d = 'd_features';
    for (let i = stack.layers.length - 1; i >= 0; i--) {
      const layer = stack.layers[i]!;
      const names = convLayerNames(stack, i);
      const n = i + 1;
      // Back through the 2×2 max-pool (to each window's argmax), if any, then through the ReLU.
      g.node('Shape', [names.output], [`${names.output}_shape`]);
      g.node('Reshape', [d, `${names.output}_shape`], [`d_${names.output}`]);
      let dRelu = `d_${names.output}`;
      if (layer.pool) {
        g.node('Shape', [names.relu], [`${names.relu}_shape`]);
        g.node('MaxUnpool', [dRelu, names.indices, `${names.relu}_shape`], [`d_${names.relu}`], POOL_ATTRIBUTES);
        dRelu = `d_${names.relu}`;
      }
      g.node('Sign', [names.relu], [`${names.relu}_slope`]);
      const dPre = `d_${names.relu}_pre`;
      g.node('Mul', [dRelu, `${names.relu}_slope`], [dPre]);
      // Kernel gradient: the correlation of the padded input with dPre, a Conv with batch and channel axes swapped:
      // dW[f,c,i,j] = Σ_n,y,x dPre[n,f,y,x]·input_padded[n,c,y+i,x+j].
      g.node('Transpose', [names.input], [`${names.input}_t${n}`], { perm: [1, 0, 2, 3] });
      g.node('Transpose', [dPre], [`${dPre}_t`], { perm: [1, 0, 2, 3] });
      g.node('Conv', [`${names.input}_t${n}`, `${dPre}_t`], [`dwc${n}_t`], { pads: names.convAttributes.pads });
      g.node('Transpose', [`dwc${n}_t`], [`dwc${n}`], { perm: [1, 0, 2, 3] });
      g.node('ReduceSum', [dPre, nhw], [`dbc${n}`], { keepdims: 0 });
      g.output(`dwc${n}`, F, names.weightDims);
      g.output(`dbc${n}`, F, [layer.filters]);
      if (i > 0) {
        // The input gradient of a stride-1 "same" conv is the transposed conv with the same kernel and padding.
        g.node('ConvTranspose', [dPre, names.weights], [`d_${names.input}_in`], names.convAttributes);
        d = `d_${names.input}_in`;
      }
    }
  }
  return g.toBytes();
}

export type PairwiseLossKind = 'dpsh' | 'exponentiated';

/**
 * Pairwise loss of a batch of logits z [B,K] against reference outputs r [N,K] of the training set
 * (held fixed, as DPSH's U matrix), with similarity s [B,N] ∈ {0,1} and pair weights w [B,N]
 * (Σw normalises). Outputs the loss and dL/dz.
 * - dpsh (Li, Zhao, Kang 2016): u = z, θ = ½·u·rᵀ, L = Σ w(softplus(θ) − sθ)/Σw + η/B·‖u − sign(u)‖².
 * - exponentiated (Mu & Liu 2017, our reading): h = tanh(z); the bilinear smooth approximation of the
 *   code affinity a = h·rᵀ/K ∈ [−1,1] (= 1 − 2·Hamming/K for binary codes); with ±1 similarity
 *   t = 2s − 1, L = Σ w·exp(−γ·t·a)/Σw + η/B·Σ(|h| − 1)².
 */
export function pairwiseLossGraph(
  kind: PairwiseLossKind,
  bits: number,
  quantisationWeight: number,
  gamma = 4,
): Uint8Array {
  const g = new GraphBuilder(`pairwise_${kind}`);
  g.input('z', F, ['b', bits]);
  g.input('r', F, ['n', bits]);
  g.input('s', F, ['b', 'n']);
  g.input('w', F, ['b', 'n']);
  const c = (name: string, v: number) => g.initializer(name, Float32Array.of(v), []);
  g.node('ReduceSum', ['w'], ['w_sum'], { keepdims: 0 });
  g.node('Shape', ['z'], ['z_shape']);
  g.node('Gather', ['z_shape', g.initializer('zero_index', BigInt64Array.of(0n), [])], ['batch_i64'], { axis: 0 });
  g.node('Cast', ['batch_i64'], ['batch'], { to: 1 });
  c('two', 2);
  c('eta', quantisationWeight);
  if (kind === 'dpsh') {
    g.node('Gemm', ['z', 'r'], ['theta'], { alpha: { f: 0.5 }, transB: 1 });
    g.node('Softplus', ['theta'], ['sp']);
    g.node('Mul', ['s', 'theta'], ['s_theta']);
    g.node('Sub', ['sp', 's_theta'], ['pair_loss']);
    g.node('Sigmoid', ['theta'], ['sig']);
    g.node('Sub', ['sig', 's'], ['dtheta_raw']);
    g.node('Sign', ['z'], ['target']);
    g.node('Sub', ['z', 'target'], ['quant_residual']);
    g.node('Mul', ['dtheta_raw', 'w'], ['dtheta_w']);
    g.node('Gemm', ['dtheta_w', 'r'], ['g_pair_raw'], { alpha: { f: 0.5 } });
    g.node('Div', ['g_pair_raw', 'w_sum'], ['g_pair']);
    g.node('Mul', ['quant_residual', 'two'], ['q1']);
  } else {
    c('one', 1);
    c('neg_gamma_over_k', -gamma / bits);
    g.node('Tanh', ['z'], ['h']);
    g.node('Gemm', ['h', 'r'], ['affinity'], { alpha: { f: 1 }, transB: 1 });
    g.node('Mul', ['s', 'two'], ['s2']);
    g.node('Sub', ['s2', 'one'], ['t']);
    g.node('Mul', ['t', 'affinity'], ['ta']);
    g.node('Mul', ['ta', 'neg_gamma_over_k'], ['exponent']);
    g.node('Exp', ['exponent'], ['pair_loss']);
    // d pair_loss / d affinity = −γ t / K · exp(…); then through h = tanh(z): × (1 − h²).
    g.node('Mul', ['pair_loss', 't'], ['e_t']);
    g.node('Mul', ['e_t', 'neg_gamma_over_k'], ['da']);
    g.node('Mul', ['da', 'w'], ['da_w']);
    g.node('Gemm', ['da_w', 'r'], ['g_h_raw'], { alpha: one });
    g.node('Div', ['g_h_raw', 'w_sum'], ['g_h']);
    g.node('Mul', ['h', 'h'], ['h2']);
    g.node('Sub', ['one', 'h2'], ['tanh_slope']);
    g.node('Mul', ['g_h', 'tanh_slope'], ['g_pair']);
    // quantisation (|h| − 1)²: derivative 2(|h| − 1)·sign(h)·(1 − h²)
    g.node('Abs', ['h'], ['abs_h']);
    g.node('Sub', ['abs_h', 'one'], ['quant_residual']);
    g.node('Sign', ['h'], ['sign_h']);
    g.node('Mul', ['quant_residual', 'two'], ['q0']);
    g.node('Mul', ['q0', 'sign_h'], ['q0s']);
    g.node('Mul', ['q0s', 'tanh_slope'], ['q1']);
  }
  g.node('Mul', ['pair_loss', 'w'], ['pair_loss_w']);
  g.node('ReduceSum', ['pair_loss_w'], ['pair_sum'], { keepdims: 0 });
  g.node('Div', ['pair_sum', 'w_sum'], ['pair_mean']);
  g.node('Mul', ['quant_residual', 'quant_residual'], ['q_sq']);
  g.node('ReduceSum', ['q_sq'], ['q_sum'], { keepdims: 0 });
  g.node('Mul', ['q_sum', 'eta'], ['q_eta']);
  g.node('Div', ['q_eta', 'batch'], ['q_mean']);
  g.node('Add', ['pair_mean', 'q_mean'], ['loss']);
  g.node('Mul', ['q1', 'eta'], ['q2']);
  g.node('Div', ['q2', 'batch'], ['g_quant']);
  g.node('Add', ['g_pair', 'g_quant'], ['gz']);
  g.output('loss', F, []);
  g.output('gz', F, ['b', bits]);
  return g.toBytes();
}

/** c = aᵀ·b or a·b (for covariance and projections in PCA/ITQ). */
export function matmulGraph(transposeA: boolean): Uint8Array {
  const g = new GraphBuilder('matmul');
  g.input('a', F, ['m', 'k']);
  g.input('b', F, ['k2', 'n']);
  g.node('Gemm', ['a', 'b'], ['c'], { alpha: one, transA: transposeA ? 1 : 0 });
  g.output('c', F, ['m2', 'n']);
  return g.toBytes();
}

/** Gradients of the trained parameters, in the order of trainableArrays(head). */
export type Gradients = Float32Array[];

/** Rows per forward call: bounds the memory of the hidden activations on large databases. */
const FORWARD_CHUNK_ROWS = 8192;

/** Forward/backward sessions for one head architecture. */
export class HeadCompute {
  private constructor(
    readonly architecture: HeadArchitecture,
    private readonly forwardSession: TensorSession,
    private readonly backwardSession: TensorSession,
    /** Whether the graphs take a `hidden_mask` (dropout on the hidden layer). */
    readonly masked: boolean,
  ) {}

  /** With `dropout`, forward and backward take a dropout mask of the hidden layer (none given: no dropout). */
  static async open(architecture: HeadArchitecture, threads?: number, dropout = false): Promise<HeadCompute> {
    const options = threads ? { providers: ['cpu' as const], threads } : { providers: ['cpu' as const] };
    const masked = dropout && architecture.hiddenDim > 0;
    if (dropout && !masked) throw new Error('dropout needs a hidden layer (hiddenDim > 0)');
    const [forward, backward] = await Promise.all([
      openSession(headForwardGraph(architecture, masked), options),
      openSession(headBackwardGraph(architecture, masked), options),
    ]);
    return new HeadCompute(architecture, forward, backward, masked);
  }

  /** The `hidden_mask` feed for rows [start, start + rows): the given mask's rows, or ones. */
  private maskFeed(
    mask: Float32Array | undefined,
    start: number,
    rows: number,
  ): Record<string, { data: Float32Array; dims: number[] }> {
    if (!this.masked) return {};
    const width = this.architecture.hiddenDim;
    const data = mask ? mask.subarray(start * width, (start + rows) * width) : new Float32Array(rows * width).fill(1);
    return { hidden_mask: { data, dims: [rows, width] } };
  }

  /** The weights as feeds; `policy` false leaves out the sequential policy's (the backward graph is the layers'). */
  private weightFeeds(head: HeadParameters, policy = true) {
    const a = this.architecture;
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
      w2: { data: head.outputWeights, dims: [outputInputDim(a), a.bits] },
      b2: { data: head.outputBias, dims: [a.bits] },
    };
    if (a.hiddenDim > 0) {
      feeds.w1 = { data: head.hiddenWeights, dims: [featureDim(a), a.hiddenDim] };
      feeds.b1 = { data: head.hiddenBias, dims: [a.hiddenDim] };
    }
    const stack = a.conv;
    if (stack)
      stack.layers.forEach((layer, i) => {
        const names = convLayerNames(stack, i);
        feeds[names.weights] = { data: head.conv[i]!.weights, dims: names.weightDims };
        feeds[names.bias] = { data: head.conv[i]!.bias, dims: [layer.filters] };
      });
    if (a.sequential && policy) {
      const weights = head.sequential;
      if (!weights) throw new Error('a head with a sequential policy needs its weights');
      const { hidden, group } = a.sequential;
      feeds.seq_a = { data: weights.a, dims: [hidden, hidden] };
      feeds.seq_b = { data: weights.b, dims: [group, hidden] };
      feeds.seq_c = { data: weights.c, dims: [hidden] };
      feeds.seq_v = { data: weights.v, dims: [hidden, a.bits] };
    }
    return feeds;
  }

  /** Logits [count, bits] for standardised inputs [count, inputDim] (with `mask` [count, hiddenDim]: dropout). */
  async forward(head: HeadParameters, inputs: Float32Array, count: number, mask?: Float32Array): Promise<Float32Array> {
    const { inputDim, bits } = this.architecture;
    const out = new Float32Array(count * bits);
    const weights = this.weightFeeds(head);
    for (let start = 0; start < count; start += FORWARD_CHUNK_ROWS) {
      const rows = Math.min(FORWARD_CHUNK_ROWS, count - start);
      const x = inputs.subarray(start * inputDim, (start + rows) * inputDim);
      const { z } = await this.forwardSession.run({
        ...weights,
        ...this.maskFeed(mask, start, rows),
        x: { data: x, dims: [rows, inputDim] },
      });
      out.set(z!.data, start * bits);
    }
    return out;
  }

  /**
   * The layers' gradients (trainableArrays' order, without a sequential policy's) for `logitGradient` = ∂loss/∂ of
   * the layers' output: z, or z_img under a sequential policy (whose own gradients come from SequentialCompute).
   */
  async backward(
    head: HeadParameters,
    inputs: Float32Array,
    count: number,
    logitGradient: Float32Array,
    mask?: Float32Array,
  ): Promise<Gradients> {
    const { inputDim, bits } = this.architecture;
    const result = await this.backwardSession.run({
      ...this.weightFeeds(head, false),
      ...this.maskFeed(mask, 0, count),
      x: { data: inputs, dims: [count, inputDim] },
      gz: { data: logitGradient, dims: [count, bits] },
    });
    const gradients = (this.architecture.conv?.layers ?? []).flatMap((_, i) => [
      result[`dwc${i + 1}`]!.data,
      result[`dbc${i + 1}`]!.data,
    ]);
    if (result.dw1) gradients.push(result.dw1.data, result.db1!.data);
    gradients.push(result.dw2!.data, result.db2!.data);
    return gradients;
  }

  async release(): Promise<void> {
    await Promise.all([this.forwardSession.release(), this.backwardSession.release()]);
  }
}

/** Session computing a pairwise loss and its gradient for a batch. */
export class PairwiseLossCompute {
  private constructor(
    readonly bits: number,
    private readonly session: TensorSession,
  ) {}

  static async open(kind: PairwiseLossKind, bits: number, quantisationWeight: number, threads?: number) {
    const options = threads ? { providers: ['cpu' as const], threads } : { providers: ['cpu' as const] };
    return new PairwiseLossCompute(bits, await openSession(pairwiseLossGraph(kind, bits, quantisationWeight), options));
  }

  async run(
    logits: Float32Array,
    batch: number,
    reference: Float32Array,
    count: number,
    similar: Float32Array,
    weights: Float32Array,
  ) {
    const { loss, gz } = await this.session.run({
      z: { data: logits, dims: [batch, this.bits] },
      r: { data: reference, dims: [count, this.bits] },
      s: { data: similar, dims: [batch, count] },
      w: { data: weights, dims: [batch, count] },
    });
    return { loss: loss!.data[0]!, logitGradient: gz!.data };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** aᵀ·b or a·b through onnxruntime. */
export class MatmulCompute {
  private constructor(private readonly sessions: { plain: TensorSession; transposed: TensorSession }) {}

  static async open(threads?: number): Promise<MatmulCompute> {
    const options = threads ? { providers: ['cpu' as const], threads } : { providers: ['cpu' as const] };
    const [plain, transposed] = await Promise.all([
      openSession(matmulGraph(false), options),
      openSession(matmulGraph(true), options),
    ]);
    return new MatmulCompute({ plain, transposed });
  }

  async multiply(
    a: Float32Array,
    aDims: [number, number],
    b: Float32Array,
    bDims: [number, number],
    transposeA = false,
  ) {
    const session = transposeA ? this.sessions.transposed : this.sessions.plain;
    const { c } = await session.run({ a: { data: a, dims: aDims }, b: { data: b, dims: bDims } });
    return c!.data;
  }

  async release(): Promise<void> {
    await Promise.all([this.sessions.plain.release(), this.sessions.transposed.release()]);
  }
}
