import type { EncodedCode, HeadStatus, Method, Result } from '../api/contract.js';

/** Human-readable text for a handler's result (the CLI's default output). */
export function formatHuman<K extends Method>(method: K, result: Result<K>): string {
  if (method === 'app.info') {
    const info = result as Result<'app.info'>;
    const m = info.model;
    const head = (h: HeadStatus | null) => (h ? `${h.version}, ${h.bits} bits` : 'none');
    const details = m.version
      ? ` (duplicates: ${head(m.heads.dup)}; similarity: ${head(m.heads.sim)}${m.provider ? `; ${m.provider}` : ''})`
      : '';
    const model = `${m.state}${details}${m.message ? ` — ${m.message}` : ''}`;
    return [
      `Lookalike ${info.version} on ${info.platform}, Node ${info.node}`,
      `Library: ${info.dbPath}`,
      `Model:   ${model}`,
      ...m.providerNotes.map((n) => `         ${n}`),
    ].join('\n');
  }
  if (method === 'model.encode') {
    const r = result as Result<'model.encode'>;
    const line = (name: string, c: EncodedCode) => `  ${name} ${c.code} (${c.bits} bits, model ${c.model})`;
    return [`${r.path} (${r.provider}):`, line('duplicate ', r.codes.dup), line('similarity', r.codes.sim)].join('\n');
  }
  if (method === 'similar.find') {
    const r = result as Result<'similar.find'>;
    if (r.results.length === 0) return 'No similar photos in the library.';
    return r.results.map((x) => `${String(x.distance).padStart(3)}  ${x.path}`).join('\n');
  }
  if (method === 'dupes.find') return formatDuplicates(result as Result<'dupes.find'>);
  if (method === 'scan.run') {
    const r = result as Result<'scan.run'>;
    const lines = [
      `Scanned in ${r.seconds} s: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.moved} moved, ${r.removed} removed, ${r.failed.length} failed.`,
      ...(r.reencoded || r.rehashed
        ? [
            `Brought up to date with the current model: ${r.reencoded} re-analysed, ${r.rehashed} similarity codes re-made.`,
          ]
        : []),
      ...r.failed.map((f) => `  failed: ${f.path}: ${f.error}`),
    ];
    return lines.join('\n');
  }
  if (method === 'dupes.trash') {
    const r = result as Result<'dupes.trash'>;
    const verb = r.dryRun ? 'Would move' : 'Moved';
    return [`${verb} ${r.trashed.length} file(s) to the trash:`, ...r.trashed.map((p) => `  ${p}`)].join('\n');
  }
  return JSON.stringify(result, null, 2);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function formatDuplicates({ threshold, groups }: Result<'dupes.find'>): string {
  const rule =
    threshold.radius === null
      ? 'identical files only'
      : `Hamming radius ${threshold.radius}` +
        (threshold.minCosine === null ? '' : `, verified at cosine ≥ ${threshold.minCosine}`) +
        (threshold.pixels === null
          ? ''
          : `, pixels aligned: overlap ≥ ${threshold.pixels.minCoverage}, correlation ≥ ${threshold.pixels.minCorrelation}` +
            ` (below ${threshold.pixels.sureCorrelation}, no part off by more than ${threshold.pixels.maxLocalShift} px)`);
  const head = `${groups.length} duplicate group(s) at threshold ${threshold.name} (${rule}).`;
  const body = groups.map((g, i) => {
    const files = g.files.map((f) => {
      const mark = f.keep ? 'keep ' : 'extra';
      const date = f.takenAt ? `  ${f.takenAt.slice(0, 10)}` : '';
      return `  ${mark}  ${f.path}  ${f.width}×${f.height}  ${formatBytes(f.bytes)}${date}`;
    });
    return [`Group ${i + 1} · ${g.kind} · ${g.files.length} files · max distance ${g.maxDistance}`, ...files].join(
      '\n',
    );
  });
  return [head, ...body].join('\n\n');
}
