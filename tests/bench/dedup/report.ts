/** Plain-text tables for the dedup benchmark (Markdown pipes, so they paste into issues as they are). */
import type { GroupingScore, PairScore } from './metrics.js';

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  return [line(cells[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export const fixed3 = (x: number) => x.toFixed(3);

export function formatThreshold(metric: 'hamming' | 'cosine' | 'percent', t: number): string {
  if (metric === 'hamming') return `d ≤ ${t}`;
  if (metric === 'percent') return `${t} %`;
  return `cos ≥ ${(1 - t).toFixed(3)}`;
}

export interface ScoreRow {
  setting: string;
  subset: string;
  threshold: string;
  score: PairScore;
}

export function scoreTable(rows: ScoreRow[]): string {
  return table(
    ['setting', 'subset', 'threshold', 'precision', 'recall', 'F1', 'TP', 'FP', 'FN'],
    rows.map((r) => [
      r.setting,
      r.subset,
      r.threshold,
      fixed3(r.score.precision),
      fixed3(r.score.recall),
      fixed3(r.score.f1),
      r.score.truePositives,
      r.score.falsePositives,
      r.score.falseNegatives,
    ]),
  );
}

export function groupingTable(
  rows: { method: string; setting: string; subset: string; rule?: string; score: GroupingScore }[],
): string {
  return table(
    [
      'method',
      'setting',
      'subset',
      'rule',
      'sources exactly grouped',
      'completeness',
      'purity',
      'distractors alone',
      'groups',
      'pure groups',
    ],
    rows.map((r) => [
      r.method,
      r.setting,
      r.subset,
      r.rule ?? `d ≤ ${r.score.radius}`,
      `${r.score.exactSources}/${r.score.sources} (${fixed3(r.score.exactSources / r.score.sources)})`,
      fixed3(r.score.meanCompleteness),
      fixed3(r.score.meanPurity),
      `${r.score.distractorsAlone}/${r.score.distractors}`,
      r.score.groups,
      r.score.pureGroups,
    ]),
  );
}
