/** A trained head's tie-aware MAP@all of `queries` against `database`, through a compute session of its own. */
import { HeadCompute } from '../../training/compute/compute-graphs.js';
import type { HeadParameters } from '../../training/compute/head.js';
import type { LabelledSet } from '../../training/data/datasets.js';
import { heldOutMap } from '../../training/loop/training-loop.js';

export async function headMap(head: HeadParameters, queries: LabelledSet, database: LabelledSet): Promise<number> {
  const compute = await HeadCompute.open(head.architecture, 1);
  try {
    return await heldOutMap(compute, head, queries, database);
  } finally {
    await compute.release();
  }
}
