import type { EncodedCode, HeadStatus, KeepRuleArg, Method, Result } from '../api/contract.js';

/** Human-readable text for a handler's result (the CLI's default output). */
export function formatHuman<K extends Method>(method: K, result: Result<K>): string {
  if (method === 'app.info') {
    const info = result as Result<'app.info'>;
    const m = info.model;
    const head = (h: HeadStatus | null) => (h ? `${h.version}, ${h.bits} bits` : 'none');
    const details = m.version
      ? ` (duplicates: ${head(m.heads.dup)}; similarity: ${head(m.heads.sim)}${m.provider ? `; runs on ${m.provider}` : ''})`
      : '';
    const model = `${m.state}${details}${m.message ? ` — ${m.message}` : ''}`;
    return [
      `Lookalike ${info.version} on ${info.platform}, Node ${info.node}`,
      `Library: ${info.dbPath}`,
      ...(info.libraryNote ? [`         ${info.libraryNote}`] : []),
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
    // A copy of the query is marked; the others show the bits between the similarity codes (0: the most alike).
    return r.results.map((x) => `${x.copy ? 'copy' : String(x.distance).padStart(4)}  ${x.path}`).join('\n');
  }
  if (method === 'dupes.find') return formatDuplicates(result as Result<'dupes.find'>);
  if (method === 'scan.run') {
    const r = result as Result<'scan.run'>;
    const counts = [
      `${r.added} added`,
      ...(r.resumed ? [`${r.resumed} resumed`] : []),
      `${r.updated} updated`,
      `${r.unchanged} unchanged`,
      `${r.moved} moved`,
      `${r.removed} removed`,
    ];
    const lines = [
      `Scanned in ${r.seconds} s: ${counts.join(', ')}; ${r.failed.length} could not be read.`,
      ...r.empty.map((folder) => `No photos found in ${folder}.`),
      ...(r.reencoded || r.rehashed
        ? [
            `Brought up to date with the current model: ${r.reencoded} re-analysed, ${r.rehashed} similarity codes re-made.`,
          ]
        : []),
      ...r.failed.map((f) => `  could not read ${f.path}: ${f.error}`),
    ];
    return lines.join('\n');
  }
  if (method === 'album.list') {
    const r = result as Result<'album.list'>;
    if (!r.albums.length) return 'No albums yet.';
    return r.albums.map((a) => `${a.name} (${photos(a.count)})`).join('\n');
  }
  if (method === 'album.show') {
    const r = result as Result<'album.show'>;
    return [`${r.album.name} (${photos(r.album.count)})`, ...r.photos.map((p) => `  ${p.path}`)].join('\n');
  }
  if (method === 'album.create') return `Created the album "${(result as Result<'album.create'>).album.name}".`;
  if (method === 'album.rename') return `Renamed the album to "${(result as Result<'album.rename'>).album.name}".`;
  if (method === 'album.delete') {
    const { deleted } = result as Result<'album.delete'>;
    return `Deleted the album "${deleted.name}"; its ${photos(deleted.count)} stay in the library.`;
  }
  if (method === 'album.add') {
    const r = result as Result<'album.add'>;
    return `Added ${photos(r.added)} to "${r.album.name}" (now ${photos(r.album.count)}).`;
  }
  if (method === 'album.remove') {
    const r = result as Result<'album.remove'>;
    return `Took ${photos(r.removed)} out of "${r.album.name}" (now ${photos(r.album.count)}).`;
  }
  if (method === 'library.folders') {
    const r = result as Result<'library.folders'>;
    if (!r.folders.length) return 'The library has no folders yet: lookalike scan FOLDER adds one.';
    return r.folders
      .map(
        (f) =>
          `${String(f.photos).padStart(7)}  ${f.path}${f.unreadable ? `  (${f.unreadable === 1 ? '1 file' : `${f.unreadable} files`} could not be read)` : ''}`,
      )
      .join('\n');
  }
  if (method === 'library.forgetFolder') {
    const r = result as Result<'library.forgetFolder'>;
    return `Forgot ${r.path}: ${photos(r.photos)} left the library (the files are where they were; scan the folder to bring them back).`;
  }
  if (method === 'settings.get' || method === 'settings.set') {
    const r = result as Result<'settings.get'>;
    return [
      `Rotated and mirrored copies count as duplicates: ${r.geometric ? 'on' : 'off'}.`,
      `Duplicate searches use the ${r.preset} preset unless told another (--threshold).`,
      `The copy proposed to keep: ${keepRuleWords(r.keepRule)} unless told another (--keep).`,
      `Folders are watched and scanned again when photos change (while the app or lookalike serve runs): ${r.watch ? 'on' : 'off'}.`,
    ].join('\n');
  }
  if (method === 'dupes.trash') {
    const r = result as Result<'dupes.trash'>;
    const verb = r.dryRun ? 'Would move' : 'Moved';
    const lines = [`${verb} ${r.trashed.length} file(s) to the trash:`, ...r.trashed.map((p) => `  ${p}`)];
    if (!r.dryRun && r.trashed.length) lines.push('To put them back: lookalike dupes --undo');
    return lines.join('\n');
  }
  if (method === 'dupes.undoTrash') {
    const r = result as Result<'dupes.undoTrash'>;
    const lines = [`Put back ${r.restored.length} file(s):`, ...r.restored.map((p) => `  ${p}`)];
    if (r.notRestored.length)
      lines.push(
        `Could not put back ${r.notRestored.length}:`,
        ...r.notRestored.map((f) => `  ${f.path}: ${f.reason}`),
      );
    return lines.join('\n');
  }
  if (method === 'train.run') return formatTraining(result as Result<'train.run'>);
  if (method === 'model.list') {
    const r = result as Result<'model.list'>;
    return r.heads
      .map((h) => {
        const mark = h.inUse ? '*' : ' ';
        const what = h.shipped
          ? 'the shipped head'
          : `retrained ${h.createdAt?.slice(0, 16).replace('T', ' ')} on ${h.photos} photos in ${h.albums} albums: held-out MAP ${h.before?.toFixed(3)} → ${h.after?.toFixed(3)}`;
        return `${mark} ${h.version}  ${what}`;
      })
      .concat('(* in use)')
      .join('\n');
  }
  if (method === 'model.use' || method === 'model.reset') {
    const r = result as Result<'model.use'>;
    return `The similarity head in use is now ${r.version} (${r.rehashed} similarity code${r.rehashed === 1 ? '' : 's'} re-made).`;
  }
  return JSON.stringify(result, null, 2);
}

function formatTraining(r: Result<'train.run'>): string {
  const lines = [
    `Trained on ${r.photos} photos in ${r.albums} albums in ${r.seconds.toFixed(1)} s.`,
    `Photos held out of each album, ranked against the rest: MAP ${r.before.map.toFixed(3)} with the head in use, ${r.after.map.toFixed(3)} with the new one.`,
    ...r.perAlbum.map(
      (a) =>
        `  ${a.name}: ${a.photos} learnt, ${a.heldOut} held out, AP ${a.before.toFixed(3)} → ${a.after.toFixed(3)}`,
    ),
  ];
  if (r.inUse === r.model) lines.push(`The new head ${r.model} is now in use.`);
  else if (r.after.map <= r.before.map)
    lines.push(
      `The new head ranks these photos no better than the head in use, which stays in use; it is kept as ${r.model} all the same.`,
    );
  else lines.push(`The new head is kept as ${r.model}; use it with \`lookalike model use ${r.model}\`.`);
  return lines.join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** What each preset finds, in the user's words. */
const PRESET_WORDS: Record<string, string> = {
  exact: 'identical files only',
  'very-close': 'the whole photo re-saved, resized or recoloured',
  close: 'copies of one photo: resized, re-saved, recoloured or lightly cropped',
  loose: 'copies of one photo, including harder edits; review before trashing',
  custom: 'a custom code distance',
};

/** The technical rule behind a threshold (`--verbose`). */
function technicalRule(threshold: Result<'dupes.find'>['threshold']): string {
  if (threshold.radius === null) return 'identical content hash';
  return (
    `Hamming radius ${threshold.radius}` +
    (threshold.minCosine === null ? '' : `, verified at cosine ≥ ${threshold.minCosine}`) +
    (threshold.pixels === null
      ? ''
      : `, pixels aligned: overlap ≥ ${threshold.pixels.minCoverage}, correlation ≥ ${threshold.pixels.minCorrelation}` +
        ` (below ${threshold.pixels.sureCorrelation}, no part off by more than ${threshold.pixels.maxLocalShift} px)`)
  );
}

export function formatDuplicates({ threshold, groups }: Result<'dupes.find'>, verbose = false): string {
  const words = PRESET_WORDS[threshold.name] ?? threshold.name;
  const head = [
    `${groups.length} duplicate group(s) at ${threshold.name} (${words}). "keep" marks the likeliest original.`,
    ...(verbose ? [`Rule: ${technicalRule(threshold)}.`] : []),
  ].join('\n');
  const body = groups.map((g, i) => {
    const files = g.files.map((f) => {
      const mark = f.keep ? 'keep ' : 'extra';
      const date = f.takenAt ? `  ${f.takenAt.slice(0, 10)}` : '';
      return `  ${mark}  ${f.path}  ${f.width}×${f.height}  ${formatBytes(f.bytes)}${date}`;
    });
    const what = g.kind === 'exact' ? 'identical files' : 'copies of one photo';
    // Photos join a group pair by pair, so its two most different members may lie beyond the radius.
    const spread = verbose && g.kind !== 'exact' ? ` · most different pair ${g.maxDistance} bits apart` : '';
    return [`Group ${i + 1} · ${g.files.length} ${what}${spread}`, ...files].join('\n');
  });
  return [head, ...body].join('\n\n');
}

/** "1 photo", "3 photos". */
function photos(n: number): string {
  return `${n} photo${n === 1 ? '' : 's'}`;
}

/** A keep rule in words. */
function keepRuleWords(rule: KeepRuleArg): string {
  switch (rule.kind) {
    case 'best-quality':
      return 'the likeliest original (best quality)';
    case 'newest':
      return 'the newest';
    case 'oldest':
      return 'the oldest';
    case 'preferred-folder':
      return `one in ${rule.folder}, else the likeliest original`;
    case 'format-preference':
      return `by format (${rule.formats.join(', ')}), else the likeliest original`;
  }
}
