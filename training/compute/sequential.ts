/**
 * The sequential bit policy of Deep Reinforcement Learning for Image Hashing (DRLIH: Peng, Zhang, Ye 2018): the code
 * is emitted one action group of `group` bits at a time by a recurrent agent, so each group can correct the errors of
 * the groups before it. The agent's state is its hidden vector together with the image's descriptor, as the
 * descriptor enters through the hashing head's logits:
 *
 *   h₋₁ = 0,  a₋₁ = 0
 *   hₜ = tanh(hₜ₋₁·A + (2aₜ₋₁ − 1)·B + c)          (aₜ₋₁: the previous group's bits, 0/1; the first step sees 0)
 *   zₜ = z_imgₜ + hₜ·Vₜ                            (z_imgₜ: the head's logits of group t; Vₜ: V's columns of group t)
 *   pₜ = σ(zₜ);  aₜ ~ Bernoulli(pₜ) while training,  aₜ = [zₜ > 0] as a code
 *
 * A [H, H], B [group, H], c [H], V [H, K]. The forward pass is unrolled into an ONNX graph (`addRecurrence`): greedy (a
 * code; what the exported head runs), sampled (uniform noise as an input), or with the actions given (scoring a
 * trajectory, for the gradient check). The backward pass through time (`sequentialBackwardGraph`) is built by hand
 * like the head's: given ∂loss/∂z for every bit of every trajectory, the gradients of A, B, c and V; ∂loss/∂z_img is
 * ∂loss/∂z itself (z_img enters additively), which the head's own backward graph takes from there.
 */
import { openSession, type TensorSession } from '../../model/encoder.js';
import { GraphBuilder } from '../../model/onnx/graph.js';
import type { Random } from './rng.js';

export interface SequentialArchitecture {
  /** Width of the recurrent state. */
  hidden: number;
  /** Bits decided together at each step (an action group); divides the code length. */
  group: number;
}

export interface SequentialParameters {
  /** [hidden, hidden], row-major: the state's recurrence. */
  a: Float32Array;
  /** [group, hidden]: how the previous group's bits (as ±1) move the state. */
  b: Float32Array;
  /** [hidden]. */
  c: Float32Array;
  /** [hidden, bits]: group t's logits read columns t·group … (t + 1)·group − 1. */
  v: Float32Array;
}

export function checkSequential(s: SequentialArchitecture, bits: number): void {
  if (!Number.isInteger(s.hidden) || s.hidden < 1)
    throw new Error(`the recurrent state needs a positive whole width, got ${s.hidden}`);
  if (!Number.isInteger(s.group) || s.group < 1 || bits % s.group !== 0)
    throw new Error(`an action group of ${s.group} bits does not divide a ${bits}-bit code`);
}

/**
 * Small random weights, V zero: a new policy's codes are the head's own (zₜ = z_imgₜ) and the recurrence starts to
 * matter as training finds it useful.
 */
export function initSequential(s: SequentialArchitecture, bits: number, random: Random): SequentialParameters {
  checkSequential(s, bits);
  const { hidden, group } = s;
  const scaled = (count: number, std: number) => Float32Array.from({ length: count }, () => random.gaussian() * std);
  return {
    a: scaled(hidden * hidden, 0.5 / Math.sqrt(hidden)),
    b: scaled(group * hidden, 1 / Math.sqrt(group)),
    c: new Float32Array(hidden),
    v: new Float32Array(hidden * bits),
  };
}

export function cloneSequential(p: SequentialParameters): SequentialParameters {
  return { a: p.a.slice(), b: p.b.slice(), c: p.c.slice(), v: p.v.slice() };
}

/** The arrays in a fixed order (the optimiser's, the gradients', the moving averages'). */
export function sequentialArrays(p: SequentialParameters): Float32Array[] {
  return [p.a, p.b, p.c, p.v];
}

export const SEQUENTIAL_NAMES = ['sequential.a', 'sequential.b', 'sequential.c', 'sequential.v'];

/** Declares a weight of the recurrence: a graph input (training graphs) or an initializer (the exported head). */
export type DeclareSequentialWeight = (name: 'seq_a' | 'seq_b' | 'seq_c' | 'seq_v', dims: number[]) => string;

/** How the recurrence picks each group's bits. */
export type RecurrenceMode = 'greedy' | 'sample' | 'given';

/**
 * Appends the unrolled recurrence after the logits `zImg` [n, bits]. 'sample' reads uniform noise from the input `u`
 * [n, bits] (bit = u < p); 'given' reads the actions (0/1) from the input `actions` [n, bits]. Returns the names of the
 * policy's logits z [n, bits], probabilities [n, bits], actions (0/1 floats) [n, bits] and states [n, steps·hidden].
 */
export function addRecurrence(
  g: GraphBuilder,
  s: SequentialArchitecture,
  bits: number,
  zImg: string,
  mode: RecurrenceMode,
  declare: DeclareSequentialWeight,
): { logits: string; probabilities: string; actions: string; states: string } {
  const { hidden, group } = s;
  const steps = bits / group;
  const a = declare('seq_a', [hidden, hidden]);
  const b = declare('seq_b', [group, hidden]);
  const c = declare('seq_c', [hidden]);
  const v = declare('seq_v', [hidden, bits]);
  if (mode === 'sample') g.input('u', 'float32', ['n', bits]);
  if (mode === 'given') g.input('actions', 'float32', ['n', bits]);
  // ±1 of the previous bits needs 1 and 2 only from the second step on (an unused initializer draws a warning).
  const one = steps > 1 ? g.initializer(g.uniqueName('one'), Float32Array.of(1), []) : '';
  const two = steps > 1 ? g.initializer(g.uniqueName('two'), Float32Array.of(2), []) : '';
  const zero = g.initializer(g.uniqueName('zero'), Float32Array.of(0), []);
  const slice = sliceColumns(g);
  const z: string[] = [];
  const p: string[] = [];
  const acts: string[] = [];
  const states: string[] = [];
  let previousState: string | null = null;
  let previousActions: string | null = null;
  for (let t = 0; t < steps; t++) {
    const zImgT = slice(zImg, t * group, (t + 1) * group);
    // The previous group's bits as ±1; before the first group, 0 (an [n, group] zero made from the batch's rows).
    const signed = g.uniqueName(`signed_${t}`);
    if (previousActions) {
      const doubled = g.uniqueName(`doubled_${t}`);
      g.node('Mul', [previousActions, two], [doubled]);
      g.node('Sub', [doubled, one], [signed]);
    } else g.node('Mul', [zImgT, zero], [signed]);
    const fromActions = g.uniqueName(`from_actions_${t}`);
    g.node('MatMul', [signed, b], [fromActions]);
    let pre = g.uniqueName(`pre_${t}`);
    g.node('Add', [fromActions, c], [pre]);
    if (previousState) {
      const fromState = g.uniqueName(`from_state_${t}`);
      g.node('MatMul', [previousState, a], [fromState]);
      const sum = g.uniqueName(`pre_sum_${t}`);
      g.node('Add', [pre, fromState], [sum]);
      pre = sum;
    }
    const state = g.uniqueName(`state_${t}`);
    g.node('Tanh', [pre], [state]);
    const readout = g.uniqueName(`readout_${t}`);
    g.node('MatMul', [state, slice(v, t * group, (t + 1) * group)], [readout]);
    const logits = g.uniqueName(`z_${t}`);
    g.node('Add', [zImgT, readout], [logits]);
    const probabilities = g.uniqueName(`p_${t}`);
    g.node('Sigmoid', [logits], [probabilities]);
    let chosen: string;
    if (mode === 'given') chosen = slice('actions', t * group, (t + 1) * group);
    else {
      const decided = g.uniqueName(`decided_${t}`);
      if (mode === 'greedy') g.node('Greater', [logits, zero], [decided]);
      else g.node('Less', [slice('u', t * group, (t + 1) * group), probabilities], [decided]);
      chosen = g.uniqueName(`a_${t}`);
      g.node('Cast', [decided], [chosen], { to: 1 });
    }
    z.push(logits);
    p.push(probabilities);
    acts.push(chosen);
    states.push(state);
    previousState = state;
    previousActions = chosen;
  }
  const concat = (parts: string[], prefix: string) => {
    const out = g.uniqueName(prefix);
    g.node('Concat', parts, [out], { axis: { i: 1 } });
    return out;
  };
  return {
    logits: concat(z, 'policy_logits'),
    probabilities: concat(p, 'policy_probabilities'),
    actions: concat(acts, 'policy_actions'),
    states: concat(states, 'policy_states'),
  };
}

/** Columns start … end − 1 of a 2-D value, through Slice with int64 bounds. */
function sliceColumns(g: GraphBuilder): (value: string, start: number, end: number) => string {
  const axis = g.initializer(g.uniqueName('axis1'), BigInt64Array.of(1n), [1]);
  return (value, start, end) => {
    const out = g.uniqueName(`${value}_cols`);
    const from = g.initializer(g.uniqueName('from'), BigInt64Array.of(BigInt(start)), [1]);
    const to = g.initializer(g.uniqueName('to'), BigInt64Array.of(BigInt(end)), [1]);
    g.node('Slice', [value, from, to, axis], [out]);
    return out;
  };
}

const asInput =
  (g: GraphBuilder): DeclareSequentialWeight =>
  (name, dims) =>
    g.input(name, 'float32', dims);

/** Forward graph of the recurrence alone: `z_img` [n, bits] (and `u` or `actions`) → z, p, actions, states. */
export function sequentialForwardGraph(s: SequentialArchitecture, bits: number, mode: RecurrenceMode): Uint8Array {
  const g = new GraphBuilder(`sequential_${mode}`);
  g.input('z_img', 'float32', ['n', bits]);
  const out = addRecurrence(g, s, bits, 'z_img', mode, asInput(g));
  const steps = bits / s.group;
  for (const [name, value, width] of [
    ['z', out.logits, bits],
    ['p', out.probabilities, bits],
    ['a', out.actions, bits],
    ['h', out.states, steps * s.hidden],
  ] as const) {
    g.node('Identity', [value], [name]);
    g.output(name, 'float32', ['n', width]);
  }
  return g.toBytes();
}

/**
 * Backpropagation through time: inputs `gz` = ∂loss/∂z [n, bits], the trajectories' `actions` [n, bits] and
 * `states` [n, steps·hidden] (the forward pass's), and the weights; outputs ∂loss/∂A, ∂B, ∂c, ∂V (summed over rows):
 *   ∂Vₜ = hₜᵀ·gₜ;  ∂hₜ = gₜ·Vₜᵀ + ∂preₜ₊₁·Aᵀ;  ∂preₜ = ∂hₜ ⊙ (1 − hₜ²);
 *   ∂A = Σₜ hₜ₋₁ᵀ·∂preₜ;  ∂B = Σₜ (2aₜ₋₁ − 1)ᵀ·∂preₜ;  ∂c = Σₜ Σ_rows ∂preₜ.
 */
export function sequentialBackwardGraph(s: SequentialArchitecture, bits: number): Uint8Array {
  const { hidden, group } = s;
  const steps = bits / group;
  const g = new GraphBuilder('sequential_backward');
  g.input('gz', 'float32', ['n', bits]);
  g.input('actions', 'float32', ['n', bits]);
  g.input('states', 'float32', ['n', steps * hidden]);
  const a = g.input('seq_a', 'float32', [hidden, hidden]);
  const v = g.input('seq_v', 'float32', [hidden, bits]);
  const one = g.initializer('one', Float32Array.of(1), []);
  const two = steps > 1 ? g.initializer('two', Float32Array.of(2), []) : '';
  const axis0 = g.initializer('axis0', BigInt64Array.of(0n), [1]);
  const slice = sliceColumns(g);
  const gemm = (x: string, y: string, attributes: Record<string, { i: number }>, prefix: string) => {
    const out = g.uniqueName(prefix);
    g.node('Gemm', [x, y], [out], attributes);
    return out;
  };
  const dV: string[] = new Array<string>(steps);
  const dA: string[] = [];
  const dB: string[] = [];
  const dc: string[] = [];
  let nextPre: string | null = null;
  for (let t = steps - 1; t >= 0; t--) {
    const gzT = slice('gz', t * group, (t + 1) * group);
    const state = slice('states', t * hidden, (t + 1) * hidden);
    dV[t] = gemm(state, gzT, { transA: { i: 1 } }, `dv_${t}`);
    let dState = gemm(gzT, slice(v, t * group, (t + 1) * group), { transB: { i: 1 } }, `dh_${t}`);
    if (nextPre) {
      const fromNext = gemm(nextPre, a, { transB: { i: 1 } }, `dh_next_${t}`);
      const sum = g.uniqueName(`dh_sum_${t}`);
      g.node('Add', [dState, fromNext], [sum]);
      dState = sum;
    }
    const square = g.uniqueName(`h2_${t}`);
    g.node('Mul', [state, state], [square]);
    const slope = g.uniqueName(`slope_${t}`);
    g.node('Sub', [one, square], [slope]);
    const dPre = g.uniqueName(`dpre_${t}`);
    g.node('Mul', [dState, slope], [dPre]);
    const dcT = g.uniqueName(`dc_${t}`);
    g.node('ReduceSum', [dPre, axis0], [dcT], { keepdims: { i: 0 } });
    dc.push(dcT);
    if (t > 0) {
      dA.push(gemm(slice('states', (t - 1) * hidden, t * hidden), dPre, { transA: { i: 1 } }, `da_${t}`));
      const doubled = g.uniqueName(`doubled_${t}`);
      g.node('Mul', [slice('actions', (t - 1) * group, t * group), two], [doubled]);
      const signed = g.uniqueName(`signed_${t}`);
      g.node('Sub', [doubled, one], [signed]);
      dB.push(gemm(signed, dPre, { transA: { i: 1 } }, `db_${t}`));
    }
    nextPre = dPre;
  }
  const total = (parts: string[], name: string, dims: number[]) => {
    if (parts.length === 0) {
      // One step: the recurrence and the previous bits play no part.
      const zero = g.initializer(`${name}_zero`, new Float32Array(dims.reduce((x, y) => x * y, 1)), dims);
      g.node('Identity', [zero], [name]);
    } else g.node('Sum', parts, [name]);
    g.output(name, 'float32', dims);
  };
  total(dA, 'd_a', [hidden, hidden]);
  total(dB, 'd_b', [group, hidden]);
  total(dc, 'd_c', [hidden]);
  g.node('Concat', dV, ['d_v'], { axis: { i: 1 } });
  g.output('d_v', 'float32', [hidden, bits]);
  return g.toBytes();
}

/** Sessions of the recurrence's graphs for one architecture: sampling, scoring given actions, and its backward pass. */
export class SequentialCompute {
  private constructor(
    readonly architecture: SequentialArchitecture,
    readonly bits: number,
    private readonly sessions: { sample: TensorSession; given: TensorSession; backward: TensorSession },
  ) {}

  static async open(s: SequentialArchitecture, bits: number, threads?: number): Promise<SequentialCompute> {
    checkSequential(s, bits);
    const options = threads ? { providers: ['cpu' as const], threads } : { providers: ['cpu' as const] };
    const [sample, given, backward] = await Promise.all([
      openSession(sequentialForwardGraph(s, bits, 'sample'), options),
      openSession(sequentialForwardGraph(s, bits, 'given'), options),
      openSession(sequentialBackwardGraph(s, bits), options),
    ]);
    return new SequentialCompute(s, bits, { sample, given, backward });
  }

  private weights(p: SequentialParameters) {
    const { hidden, group } = this.architecture;
    return {
      seq_a: { data: p.a, dims: [hidden, hidden] },
      seq_b: { data: p.b, dims: [group, hidden] },
      seq_c: { data: p.c, dims: [hidden] },
      seq_v: { data: p.v, dims: [hidden, this.bits] },
    };
  }

  /**
   * Runs the policy on `rows` logit rows: with `noise` (uniform [0, 1) per bit) it samples each group's bits; with
   * `actions` it scores those. Returns z, p, the actions and the states.
   */
  async forward(
    p: SequentialParameters,
    zImg: Float32Array,
    rows: number,
    drive: { noise: Float32Array } | { actions: Float32Array },
  ): Promise<{ z: Float32Array; p: Float32Array; actions: Float32Array; states: Float32Array }> {
    const bits = this.bits;
    const feeds = { ...this.weights(p), z_img: { data: zImg, dims: [rows, bits] } };
    const out =
      'noise' in drive
        ? await this.sessions.sample.run({ ...feeds, u: { data: drive.noise, dims: [rows, bits] } })
        : await this.sessions.given.run({ ...feeds, actions: { data: drive.actions, dims: [rows, bits] } });
    return { z: out.z!.data, p: out.p!.data, actions: out.a!.data, states: out.h!.data };
  }

  /** The gradients of A, B, c, V (sequentialArrays' order) for ∂loss/∂z `gz` along the given trajectories. */
  async backward(
    p: SequentialParameters,
    gz: Float32Array,
    actions: Float32Array,
    states: Float32Array,
    rows: number,
  ): Promise<Float32Array[]> {
    const { hidden, group } = this.architecture;
    const out = await this.sessions.backward.run({
      seq_a: { data: p.a, dims: [hidden, hidden] },
      seq_v: { data: p.v, dims: [hidden, this.bits] },
      gz: { data: gz, dims: [rows, this.bits] },
      actions: { data: actions, dims: [rows, this.bits] },
      states: { data: states, dims: [rows, (this.bits / group) * hidden] },
    });
    return [out.d_a!.data, out.d_b!.data, out.d_c!.data, out.d_v!.data];
  }

  async release(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((s) => s.release()));
  }
}
