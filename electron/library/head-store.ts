/**
 * The similarity heads a library was retrained to (electron/library/retrain.ts): kept in a folder beside its
 * database (`<database>.heads/`), one ONNX graph and one record each, so that the user can go back to any of them
 * or to the shipped head. A head is written whole before its record (each to a temporary name, then renamed), so a
 * head cut short by a crash is never listed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the library knows of a head it was retrained to. */
export interface HeadRecord {
  /** The version its codes carry: backbone + head (`mnv2-…+head-…`). */
  version: string;
  bits: number;
  inputDim: number;
  backboneVersion: string;
  createdAt: string;
  /** What it learnt from, and what it did for the albums' held-out photos against the head in use then. */
  photos: number;
  albums: { name: string; photos: number; heldOut: number; before: number; after: number }[];
  before: { map: number };
  after: { map: number };
  seconds: number;
  /** Of the ONNX file, checked on every load. */
  sha256: string;
}

/** A file-name-safe form of a version. */
function fileStem(version: string): string {
  return version.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class HeadStore {
  constructor(readonly dir: string) {}

  /** The store of the library at `dbPath`. */
  static of(dbPath: string): HeadStore {
    return new HeadStore(`${dbPath}.heads`);
  }

  /** Keeps a head (its ONNX graph) and its record; the same version again replaces it. */
  save(record: Omit<HeadRecord, 'sha256'>, onnx: Uint8Array): HeadRecord {
    mkdirSync(this.dir, { recursive: true });
    const full: HeadRecord = { ...record, sha256: createHash('sha256').update(onnx).digest('hex') };
    const stem = path.join(this.dir, fileStem(record.version));
    writeWhole(`${stem}.onnx`, onnx);
    writeWhole(`${stem}.json`, `${JSON.stringify(full, null, 2)}\n`);
    return full;
  }

  /** Every head kept, oldest first. */
  list(): HeadRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => {
        try {
          const record = JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as HeadRecord;
          return existsSync(path.join(this.dir, `${fileStem(record.version)}.onnx`)) ? [record] : [];
        } catch {
          return []; // an unreadable record is not a head
        }
      })
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version));
  }

  /** The record of `version`, if kept. */
  record(version: string): HeadRecord | undefined {
    return this.list().find((r) => r.version === version);
  }

  /** The head's ONNX graph, checked against its record; throws if it is missing or changed. */
  load(version: string): { record: HeadRecord; onnx: Uint8Array } {
    const record = this.record(version);
    if (!record) throw new Error(`no similarity head ${version} in ${this.dir}`);
    const onnx = readFileSync(path.join(this.dir, `${fileStem(version)}.onnx`));
    if (createHash('sha256').update(onnx).digest('hex') !== record.sha256)
      throw new Error(`the similarity head ${version} in ${this.dir} is damaged (its checksum differs)`);
    return { record, onnx: new Uint8Array(onnx.buffer, onnx.byteOffset, onnx.byteLength) };
  }
}

/** Writes `data` under a temporary name, then renames it into place. */
function writeWhole(file: string, data: Uint8Array | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}
