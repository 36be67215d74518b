/**
 * The library's memory of what the keep rule measured in files (keep-facts.ts's `KeepMeasures`): kept in the catalog
 * by the files' content hashes, so a duplicate search run again (after a move to the trash or its undo, at another
 * threshold, with another keep rule, in another process) reads the files only where it meets a file it has not
 * measured. Settling the keepers of the stress library's 147 groups decodes 761 files (~8 s of a search whose pixel
 * verdicts were all kept). An answer that could not be measured (a file unreadable now) is not kept. A photo without
 * a content hash is measured each time.
 */
import type { Catalog, KeepFactKind, KeepFactRow } from '../../library/catalog/catalog.js';
import { onlyCostsReuse } from '../pixels/kept-verdicts.js';
import { PIXEL_CHECK_VERSION } from '../pixels/pixel-check.js';
import { type FileFacts, type KeepMeasures, MEASURED_HERE, type MeasuredFile } from './keep-facts.js';
import { familyOf } from './keep.js';

/**
 * Version of the measures (keep-facts.ts, model/image/picture-quality.ts): bump it when what they answer for the same
 * files changes. The file facts are read from the stored thumbnail too, so the thumbnails' version is part of it.
 */
export const KEEP_MEASURES_VERSION = `1:thumbnails-${PIXEL_CHECK_VERSION}`;

/** A file's facts as kept (the sample as base64). */
interface KeptFileFacts extends Omit<FileFacts, 'sample'> {
  sample: string | null;
}

const fromFileFacts = (f: FileFacts): KeptFileFacts => ({
  ...f,
  sample: f.sample && Buffer.from(f.sample).toString('base64'),
});
const toFileFacts = (f: KeptFileFacts): FileFacts => ({
  ...f,
  sample: f.sample === null ? null : new Uint8Array(Buffer.from(f.sample, 'base64')),
});

export class KeptMeasures implements KeepMeasures {
  /** Kept values (JSON) by kind and contents. */
  private readonly kept = new Map<string, string>();
  /** Measured now, not yet stored. */
  private readonly fresh: KeepFactRow[] = [];
  /** How many answers came from the catalog, and how many were measured now. */
  readonly counts = { kept: 0, measured: 0 };

  /** Reads what the catalog kept; `hashes` gives each photo's content hash (Catalog.contentHashes). */
  constructor(
    private readonly catalog: Catalog,
    private readonly hashes: ReadonlyMap<number, string>,
    private readonly measures: KeepMeasures = MEASURED_HERE,
  ) {
    for (const r of catalog.keepFacts.each(KEEP_MEASURES_VERSION)) this.kept.set(key(r.kind, r.a, r.b), r.value);
  }

  fileFacts(file: MeasuredFile, thumbnail: Uint8Array | undefined): Promise<FileFacts> {
    return this.remembered(
      'file',
      [file],
      () => this.measures.fileFacts(file, thumbnail),
      // Facts that could not all be read (the thumbnail, or a JPEG's headers, unreadable now) are measured again
      // next time.
      (f) => (f.grey !== null && (f.jpegQuality !== null || familyOf(file) !== 'jpeg') ? fromFileFacts(f) : null),
      (v) => toFileFacts(v as KeptFileFacts),
    );
  }

  isEnlargement = (large: MeasuredFile, small: MeasuredFile): Promise<boolean | null> =>
    this.remembered(
      'enlargement',
      [large, small],
      () => this.measures.isEnlargement(large, small),
      (enlarged) => enlarged,
      (v) => v as boolean,
    );

  sharpness(file: MeasuredFile): Promise<number | null> {
    return this.remembered(
      'sharpness',
      [file],
      () => this.measures.sharpness(file),
      (sharpness) => sharpness,
      (v) => v as number,
    );
  }

  /**
   * Stores what was measured since the last call, with the measures of other versions dropped. Failing to store
   * it (the database busy in another process, a full disk) costs only its reuse.
   */
  save(): void {
    const rows = this.fresh.splice(0);
    if (!rows.length) return;
    try {
      this.catalog.transaction(() => {
        this.catalog.keepFacts.add(KEEP_MEASURES_VERSION, rows);
        this.catalog.keepFacts.keepOnly(KEEP_MEASURES_VERSION);
      });
    } catch (error) {
      if (!onlyCostsReuse(error)) throw error;
    }
  }

  /**
   * The kept answer for `files`' contents, else `measure`'s, kept unless `toKept` gives null (nothing to keep: it
   * could not be measured).
   */
  private async remembered<T>(
    kind: KeepFactKind,
    files: readonly MeasuredFile[],
    measure: () => Promise<T>,
    toKept: (value: T) => unknown,
    fromKept: (value: unknown) => T,
  ): Promise<T> {
    const [a, b] = files.map((f) => this.hashes.get(f.id));
    const known = a === undefined || (files.length > 1 && b === undefined) ? undefined : key(kind, a, b ?? '');
    const value = known === undefined ? undefined : this.kept.get(known);
    if (value !== undefined) {
      this.counts.kept++;
      return fromKept(JSON.parse(value));
    }
    const measured = await measure();
    this.counts.measured++;
    const kept = toKept(measured);
    if (known !== undefined && kept !== null) {
      const json = JSON.stringify(kept);
      this.kept.set(known, json);
      this.fresh.push({ a: a!, kind, b: b ?? '', value: json });
    }
    return measured;
  }
}

function key(kind: KeepFactKind, a: string, b: string): string {
  return `${kind}:${a}:${b}`;
}
