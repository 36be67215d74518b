/**
 * Average precision of a ranked list, plain and tie-aware.
 *
 * Hamming ranking produces many exact ties (a 12-bit code has only 13 distances), so the order
 * inside a tie group is arbitrary. Tie-aware AP (McSherry & Najork, ECIR 2008) is the expected AP
 * over all orderings within tie groups: deterministic, and neither lucky nor unlucky.
 */

/** AP of a fully ordered list: mean over relevant items of precision at their rank. 0 if none is relevant. */
export function averagePrecision(relevantInRankOrder: ArrayLike<boolean>): number {
  let relevantSoFar = 0;
  let sum = 0;
  for (let rank = 0; rank < relevantInRankOrder.length; rank++) {
    if (relevantInRankOrder[rank]) {
      relevantSoFar++;
      sum += relevantSoFar / (rank + 1);
    }
  }
  return relevantSoFar === 0 ? 0 : sum / relevantSoFar;
}

/** Harmonic numbers H(0..n), grown on demand and shared (they only depend on list length). */
let harmonic = new Float64Array([0]);
function harmonicNumbers(upTo: number): Float64Array {
  if (harmonic.length > upTo) return harmonic;
  const grown = new Float64Array(Math.max(upTo + 1, harmonic.length * 2));
  grown.set(harmonic);
  for (let i = harmonic.length; i < grown.length; i++) grown[i] = grown[i - 1]! + 1 / i;
  harmonic = grown;
  return harmonic;
}

/**
 * Tie-aware AP from per-group counts, groups in rank order (for Hamming ranking: group d = distance d).
 * `totalPerGroup[g]` items of which `relevantPerGroup[g]` are relevant.
 *
 * A relevant item of a group of n items (r relevant) preceded by N items (R relevant) lands at
 * position N + j, j uniform in 1..n, with on average (j−1)(r−1)/(n−1) other relevant items
 * before it in the group, so its expected precision is (1/n) Σ_j (R + 1 + (j−1)(r−1)/(n−1)) / (N + j).
 * The sums over j are harmonic differences, so each group costs O(1).
 */
export function tieAwareAveragePrecision(
  relevantPerGroup: ArrayLike<number>,
  totalPerGroup: ArrayLike<number>,
  groupCount = totalPerGroup.length,
): number {
  let itemCount = 0;
  for (let g = 0; g < groupCount; g++) itemCount += totalPerGroup[g]!;
  const h = harmonicNumbers(itemCount);
  let before = 0;
  let relevantBefore = 0;
  let sum = 0;
  for (let g = 0; g < groupCount; g++) {
    const n = totalPerGroup[g]!;
    const r = relevantPerGroup[g]!;
    if (r > 0) {
      const harmonicSpan = h[before + n]! - h[before]!;
      const othersRelevantRate = n > 1 ? (r - 1) / (n - 1) : 0;
      const sumOfOffsets = n - (before + 1) * harmonicSpan; // Σ_j (j−1)/(N+j)
      sum += (r / n) * ((relevantBefore + 1) * harmonicSpan + othersRelevantRate * sumOfOffsets);
    }
    before += n;
    relevantBefore += r;
  }
  return relevantBefore === 0 ? 0 : sum / relevantBefore;
}
