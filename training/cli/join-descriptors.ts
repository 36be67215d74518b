/**
 * Joins descriptor exports of the same images side by side, for measuring two backbones' descriptors together
 * through the trainer (`npm run bench:train -- --data cifar10 --descriptors OUT [--views]`): each row of OUT is
 * the rows of the inputs one after the other (each part as exported, e.g. unit length), and OUT's backbone
 * version is the inputs' joined with "+". Views of split seed S are joined too when every input has them.
 *
 *   npx tsx training/cli/join-descriptors.ts --out OUT [--seed S] DIR_A DIR_B [DIR_C …]
 *
 * The inputs must describe the same images in the same order: same count and labels (and, for views, the same
 * source rows); anything else is refused before OUT is written.
 */
import { parseArgs } from 'node:util';
import { writeDescriptorSet } from '../data/datasets.js';
import { joinDescriptorSets } from '../data/descriptor-join.js';
import { writeDescriptorViews } from '../data/descriptor-views.js';

const USAGE = 'usage: npx tsx training/cli/join-descriptors.ts --out OUT [--seed S] DIR_A DIR_B [DIR_C …]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { out: { type: 'string' }, seed: { type: 'string', default: '1' } },
    allowPositionals: true,
  });
  const seed = Number(values.seed);
  if (!values.out || positionals.length < 2 || !Number.isInteger(seed)) throw new Error(USAGE);
  const { set, backboneVersion, views } = joinDescriptorSets(positionals, seed);
  writeDescriptorSet(values.out, set, backboneVersion);
  if (views) writeDescriptorViews(values.out, seed, views);
  process.stderr.write(
    `wrote ${set.count} × ${set.dim} descriptors (${backboneVersion})${views ? ` and ${views.sources.length} views of seed ${seed}` : ', no views (not every input has them)'} to ${values.out}\n`,
  );
}

await main();
