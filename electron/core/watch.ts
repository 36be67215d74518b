/**
 * Watch folders (Settings: "scan again when photos change"): while the desktop app or `lookalike serve` runs with
 * the setting on, each of the library's folders is watched (`fs.watch`, recursive), and a folder where photos were
 * added, changed, renamed or removed is scanned again once it has been quiet for a moment — as a scan the person
 * started would be (a job: progress events, the library's lock). A change while that scan runs brings one more.
 */
import { type FSWatcher, watch as fsWatch } from 'node:fs';
import path from 'node:path';
import { SUPPORTED_EXTENSIONS } from '../../model/image/decode.js';

const PHOTO_EXTENSIONS = new Set(SUPPORTED_EXTENSIONS);

/** A folder is scanned this long after its last change (a copy of many photos is one scan). */
export const QUIET_MS = 2000;

/**
 * Whether a change to `name` (relative to a watched folder) can change the library: a photo's file, or a folder
 * (no extension: a folder of photos moved in or out). Hidden files and the library's own database files (which
 * may lie in a photo folder) are not: their writes would scan again without end.
 */
export function isPhotoChange(name: string | null): boolean {
  if (name === null) return true; // the system did not say what changed
  const base = path.basename(name);
  if (base.startsWith('.')) return false;
  const ext = path.extname(base).toLowerCase();
  return ext === '' ? true : PHOTO_EXTENSIONS.has(ext);
}

export interface FolderWatchOptions {
  /** The library's folders now. */
  roots: () => string[];
  /** Whether the setting is on. */
  enabled: () => boolean;
  /**
   * A folder that cannot be watched (not there, the system's limit of watches reached): told once, until it is
   * watched again or no longer asked for.
   */
  onUnwatchable?: (folder: string, error: unknown) => void;
  /** Scans these folders again (resolves when done; a failure is passed to `onError`). */
  rescan: (folders: string[]) => Promise<unknown>;
  onError?: (error: unknown) => void;
  quietMs?: number;
  /** `fs.watch` (tests may give another). */
  watch?: (folder: string, listener: (event: string, name: string | null) => void) => FSWatcher;
}

export class FolderWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly changed = new Set<string>();
  /** Folders that could not be watched, already told. */
  private readonly unwatchable = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: FolderWatchOptions) {}

  /** Watches the library's folders now when the setting is on, and none when it is off. */
  refresh(): void {
    if (this.closed) return;
    let wanted: Set<string>;
    try {
      wanted = new Set(this.options.enabled() ? this.options.roots() : []);
    } catch (error) {
      this.options.onError?.(error); // the library cannot be read now: its requests say why
      return;
    }
    for (const folder of this.unwatchable) if (!wanted.has(folder)) this.unwatchable.delete(folder);
    for (const [folder, watcher] of this.watchers)
      if (!wanted.has(folder)) {
        watcher.close();
        this.watchers.delete(folder);
        this.changed.delete(folder);
      }
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = (this.options.watch ?? defaultWatch)(folder, (_event, name) => {
          if (isPhotoChange(typeof name === 'string' ? name : null)) this.touched(folder);
        });
        // A folder that goes away (an unplugged disk) is watched again from the next refresh on.
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(folder);
        });
        this.watchers.set(folder, watcher);
        this.unwatchable.delete(folder);
      } catch (error) {
        if (!this.unwatchable.has(folder)) this.options.onUnwatchable?.(folder, error);
        this.unwatchable.add(folder);
      }
    }
  }

  /** The folders watched now. */
  get folders(): string[] {
    return [...this.watchers.keys()];
  }

  private touched(folder: string): void {
    this.changed.add(folder);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.quietMs ?? QUIET_MS);
  }

  private flush(): void {
    this.timer = null;
    if (this.closed || !this.changed.size) return;
    if (this.running) {
      // One more scan once this one is done: what changed meanwhile.
      void this.running.then(() => this.flush());
      return;
    }
    const folders = [...this.changed];
    this.changed.clear();
    this.running = this.options
      .rescan(folders)
      .then(
        () => undefined,
        (error: unknown) => this.options.onError?.(error),
      )
      .finally(() => (this.running = null));
  }

  /** Stops watching; a scan under way finishes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.running;
  }
}

function defaultWatch(folder: string, listener: (event: string, name: string | null) => void): FSWatcher {
  return fsWatch(folder, { recursive: true, persistent: false }, (event, name) =>
    listener(event, name === null ? null : String(name)),
  );
}

/** Why a folder cannot be watched, in words (fs.watch's error codes). */
export function unwatchableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'it is not there now';
  if (code === 'ENOSPC' || code === 'EMFILE')
    return "the system's limit of watched folders is reached (on Linux: raise fs.inotify.max_user_watches)";
  if (code === 'EACCES' || code === 'EPERM') return 'it cannot be read';
  return error instanceof Error ? error.message : String(error);
}
