/**
 * Where a scan's time goes: the summed duration and count of each stage (decode, thumbnail, backbone, …), for
 * this process. The stages time themselves with `timeStage`; `bench:scan` reads `stageTotals()` after a scan to
 * print the breakdown. Stages that run at once (decodes on libuv threads, inference on the JS thread) overlap, so
 * the sum may exceed the wall time. Two clock reads a stage: cheap beside any of them.
 */
export interface StageTotal {
  ms: number;
  count: number;
}

const totals = new Map<string, StageTotal>();

/** Adds `ms` and `count` to `stage` (a count alone, with ms 0, records how many of something were made). */
export function addStage(stage: string, ms: number, count = 1): void {
  const total = totals.get(stage);
  if (total) {
    total.ms += ms;
    total.count += count;
  } else totals.set(stage, { ms, count });
}

/** Runs `work`, adding its duration (until it settles, however it settles) to `stage`. */
export async function timeStage<T>(stage: string, work: () => Promise<T>, count = 1): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    addStage(stage, performance.now() - started, count);
  }
}

/** `timeStage` for synchronous work. */
export function timeStageSync<T>(stage: string, work: () => T, count = 1): T {
  const started = performance.now();
  try {
    return work();
  } finally {
    addStage(stage, performance.now() - started, count);
  }
}

/** Every stage's totals so far. */
export function stageTotals(): Record<string, StageTotal> {
  return Object.fromEntries([...totals].map(([stage, total]) => [stage, { ...total }]));
}

export function resetStages(): void {
  totals.clear();
}
