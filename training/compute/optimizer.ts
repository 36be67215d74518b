/** Adam with decoupled weight decay (AdamW): element-wise, cheap next to the matrix products. */
export class Adam {
  private readonly firstMoments: Float32Array[];
  private readonly secondMoments: Float32Array[];
  private steps = 0;

  constructor(
    parameters: Float32Array[],
    private readonly learningRate: number,
    private readonly weightDecay = 0,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.firstMoments = parameters.map((p) => new Float32Array(p.length));
    this.secondMoments = parameters.map((p) => new Float32Array(p.length));
  }

  /** Updates `parameters` in place from `gradients` (same order and sizes as the constructor's). */
  step(parameters: Float32Array[], gradients: Float32Array[], learningRateScale = 1): void {
    this.steps++;
    const lr = this.learningRate * learningRateScale;
    const correction1 = 1 - this.beta1 ** this.steps;
    const correction2 = 1 - this.beta2 ** this.steps;
    for (let a = 0; a < parameters.length; a++) {
      const p = parameters[a]!;
      const g = gradients[a]!;
      const m = this.firstMoments[a]!;
      const v = this.secondMoments[a]!;
      // Decay only matrices (bias vectors are short and need no shrinkage).
      const decay = p.length > 1 && a % 2 === 0 ? this.weightDecay * lr : 0;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        m[i] = this.beta1 * m[i]! + (1 - this.beta1) * gi;
        v[i] = this.beta2 * v[i]! + (1 - this.beta2) * gi * gi;
        p[i] = p[i]! - lr * (m[i]! / correction1 / (Math.sqrt(v[i]! / correction2) + this.epsilon)) - decay * p[i]!;
      }
    }
  }
}
