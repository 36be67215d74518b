/** The benchmark's printed report: one score table per method, recall per edit side by side, grouping. */
import { EDITS } from './edits.js';
import { fixed3, formatThreshold, groupingTable, scoreTable, table } from './report.js';
import type { MethodResult } from './score.js';
import type { SetEntry } from './set.js';

export function printReport(results: MethodResult[], entries: SetEntry[]): void {
  const count = (kind: SetEntry['kind']) => entries.filter((e) => e.kind === kind).length;
  const geometricCopies = entries.filter((e) => e.group === 'geometric').length;
  console.log(
    `\nSet: ${entries.length} files — ${count('original')} originals, ${count('copy')} copies ` +
      `(${geometricCopies} of them 90° turns/mirrors, only in subset "all"), ${count('distractor')} distractors.\n`,
  );
  for (const r of results) {
    console.log(`### ${r.name} (${r.version})\n`);
    console.log(scoreTable(r.rows));
    const fp =
      Object.entries(r.falsePositives)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none';
    console.log(`false positives at the best threshold (standard): ${fp}`);
    for (const note of r.notes ?? []) console.log(`note: ${note}`);
    if (r.stereoPairDistance) {
      const s = r.stereoPairDistance;
      const d = (x: number) => (r.metric === 'cosine' ? `cos ${(1 - x).toFixed(3)}` : `d ${x}`);
      console.log(
        `motorcycle stereo pair (not duplicates): ${d(s.plain)}${s.geometric !== undefined ? `, geometric ${d(s.geometric)}` : ''}`,
      );
    }
    console.log('');
  }
  const columns = results.flatMap((r) => {
    const t = r.chosenLabel ?? (r.metric === 'hamming+cosine' ? '' : formatThreshold(r.metric, r.chosenThreshold));
    const cols = [{ title: `${r.name} ${t}`, values: r.recallPerEdit }];
    if (r.recallPerEditGeometric) cols.push({ title: `${r.name} ${t} geo`, values: r.recallPerEditGeometric });
    return cols;
  });
  const edits = EDITS.map((e) => e.name);
  console.log('### Recall per edit (copy within the threshold of its original; geo = geometric matching on)\n');
  console.log(
    table(
      ['edit', ...columns.map((c) => c.title)],
      edits.map((e) => [e, ...columns.map((c) => fixed3(c.values[e] ?? NaN))]),
    ),
  );
  for (const model of results) {
    if (!model.recallAtPresets) continue;
    const presetColumns = model.recallAtPresets.flatMap((p) => [
      { title: `${p.preset} ${p.rule}`, values: p.plain },
      { title: `${p.preset} ${p.rule} geo`, values: p.geometric },
    ]);
    console.log(
      `\n### ${model.name}: recall per edit at the presets calibrated in this run (rule in electron/search/duplicates/presets.ts) and the shipped ones where they differ\n`,
    );
    console.log(
      table(
        ['edit', ...presetColumns.map((c) => c.title)],
        edits.map((e) => [e, ...presetColumns.map((c) => fixed3(c.values[e] ?? NaN))]),
      ),
    );
  }
  const grouping = results.flatMap((r) => r.grouping.map((g) => ({ method: r.name, ...g })));
  if (grouping.length) {
    console.log(
      '\n### Grouping with findDuplicateGroups (electron/search/duplicates/groups.ts), geometric matching only where the setting says so\n',
    );
    console.log(groupingTable(grouping));
  }
}
