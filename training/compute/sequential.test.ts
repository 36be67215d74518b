import { describe, expect, it } from 'vitest';
import { createRandom } from './rng.js';
import {
  initSequential,
  SequentialCompute,
  type SequentialArchitecture,
  type SequentialParameters,
} from './sequential.js';

/**
 * The recurrence in plain float64 arithmetic, one row: z for the given actions (or, greedy, for the bits it picks).
 * What the ONNX graphs must compute, and what the finite differences of the gradient check run on.
 */
function reference(
  s: SequentialArchitecture,
  bits: number,
  p: SequentialParameters,
  zImg: ArrayLike<number>,
  actions: ArrayLike<number> | 'greedy',
): { z: number[]; actions: number[] } {
  const { hidden: H, group: G } = s;
  let h = new Array<number>(H).fill(0);
  let previous = new Array<number>(G).fill(0);
  const z: number[] = [];
  const chosen: number[] = [];
  for (let t = 0; t < bits / G; t++) {
    const next = new Array<number>(H).fill(0);
    for (let j = 0; j < H; j++) {
      let pre = p.c[j]!;
      for (let i = 0; i < H; i++) pre += h[i]! * p.a[i * H + j]!;
      for (let k = 0; k < G; k++) pre += previous[k]! * p.b[k * H + j]!;
      next[j] = Math.tanh(pre);
    }
    h = next;
    for (let k = 0; k < G; k++) {
      const bit = t * G + k;
      let value = zImg[bit]!;
      for (let i = 0; i < H; i++) value += h[i]! * p.v[i * bits + bit]!;
      z.push(value);
      chosen.push(actions === 'greedy' ? (value > 0 ? 1 : 0) : actions[bit]!);
    }
    previous = chosen.slice(t * G, (t + 1) * G).map((a) => 2 * a - 1);
  }
  return { z, actions: chosen };
}

function randomArray(length: number, random: ReturnType<typeof createRandom>, scale = 1): Float32Array {
  return Float32Array.from({ length }, () => random.gaussian() * scale);
}

/** A policy with every weight non-zero (a new one starts with V = 0, which would hide V's part). */
function busyPolicy(s: SequentialArchitecture, bits: number, seed: number): SequentialParameters {
  const random = createRandom(seed);
  const p = initSequential(s, bits, random);
  return { ...p, c: randomArray(s.hidden, random, 0.5), v: randomArray(s.hidden * bits, random, 0.7) };
}

/** A busy policy, random layer logits and random 0/1 actions for `rows` rows; `random` draws on from there. */
function trial(s: SequentialArchitecture, bits: number, rows: number, seed: number, policySeed: number) {
  const random = createRandom(seed);
  const p = busyPolicy(s, bits, policySeed);
  const zImg = randomArray(rows * bits, random);
  const actions = Float32Array.from({ length: rows * bits }, () => (random.next() < 0.5 ? 1 : 0));
  return { random, p, zImg, actions };
}

describe('the sequential bit policy (DRLIH)', () => {
  for (const s of [
    { hidden: 5, group: 1 },
    { hidden: 4, group: 3 },
  ] satisfies SequentialArchitecture[]) {
    it(`computes the recurrence the reference computes (hidden ${s.hidden}, groups of ${s.group})`, async () => {
      const bits = 6;
      const rows = 4;
      const { random, p, zImg, actions } = trial(s, bits, rows, 7, 3);
      const compute = await SequentialCompute.open(s, bits, 1);
      try {
        const given = await compute.forward(p, zImg, rows, { actions });
        const noise = Float32Array.from({ length: rows * bits }, () => random.next());
        const sampled = await compute.forward(p, zImg, rows, { noise });
        for (let r = 0; r < rows; r++) {
          const row = (x: Float32Array) => Array.from(x.subarray(r * bits, (r + 1) * bits));
          const expected = reference(s, bits, p, row(zImg), row(actions));
          row(given.z).forEach((z, k) => expect(z).toBeCloseTo(expected.z[k]!, 5));
          row(given.p).forEach((q, k) => expect(q).toBeCloseTo(1 / (1 + Math.exp(-expected.z[k]!)), 5));
          // A sampled trajectory: each bit is u < p of its own step, and scoring its actions gives its logits.
          const replay = reference(s, bits, p, row(zImg), row(sampled.actions));
          row(sampled.z).forEach((z, k) => expect(z).toBeCloseTo(replay.z[k]!, 5));
          row(sampled.actions).forEach((a, k) =>
            expect(a).toBe(noise[r * bits + k]! < sampled.p[r * bits + k]! ? 1 : 0),
          );
        }
      } finally {
        await compute.release();
      }
    });

    it(`has the gradients of finite differences (hidden ${s.hidden}, groups of ${s.group})`, async () => {
      const bits = 6;
      const rows = 3;
      const { random, p, zImg, actions } = trial(s, bits, rows, 11, 5);
      const gz = randomArray(rows * bits, random);
      // J(θ) = Σ gz ⊙ z(θ) along fixed trajectories: ∂J/∂θ is what the backward graph returns for ∂loss/∂z = gz.
      const objective = (q: SequentialParameters) => {
        let sum = 0;
        for (let r = 0; r < rows; r++) {
          const { z } = reference(
            s,
            bits,
            q,
            zImg.subarray(r * bits, (r + 1) * bits),
            actions.subarray(r * bits, (r + 1) * bits),
          );
          z.forEach((value, k) => (sum += gz[r * bits + k]! * value));
        }
        return sum;
      };
      const compute = await SequentialCompute.open(s, bits, 1);
      try {
        const { states } = await compute.forward(p, zImg, rows, { actions });
        const analytic = await compute.backward(p, gz, actions, states, rows);
        const names = ['a', 'b', 'c', 'v'] as const;
        names.forEach((name, n) => {
          expect(analytic[n]!.length).toBe(p[name].length);
          for (let i = 0; i < p[name].length; i++) {
            const eps = 1e-3;
            const shifted = (delta: number) => {
              const q = {
                a: Float64Array.from(p.a),
                b: Float64Array.from(p.b),
                c: Float64Array.from(p.c),
                v: Float64Array.from(p.v),
              };
              q[name][i]! += delta;
              return objective(q as unknown as SequentialParameters);
            };
            const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
            expect(Math.abs(analytic[n]![i]! - numeric), `${name}[${i}]`).toBeLessThan(
              1e-3 * Math.max(1, Math.abs(numeric)),
            );
          }
        });
      } finally {
        await compute.release();
      }
    });
  }

  it('gives a one-step code (one group of every bit) no recurrence to learn', async () => {
    const s = { hidden: 3, group: 4 };
    const compute = await SequentialCompute.open(s, 4, 1);
    try {
      const p = busyPolicy(s, 4, 2);
      const zImg = Float32Array.of(0.5, -1, 2, -0.25);
      const actions = Float32Array.of(1, 0, 1, 0);
      const { states } = await compute.forward(p, zImg, 1, { actions });
      const [da, db] = await compute.backward(p, Float32Array.of(1, 1, 1, 1), actions, states, 1);
      expect(Array.from(da!)).toEqual(new Array(9).fill(0));
      expect(Array.from(db!)).toEqual(new Array(12).fill(0));
    } finally {
      await compute.release();
    }
  });
});
