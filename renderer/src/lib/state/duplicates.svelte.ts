import type { DuplicateGroup, Progress, Result } from '../../../../electron/api/contract.js';
import { type KeepRuleChoice, keepRuleArg, keepRuleChoice } from '../keep-rule.js';
import { undoSentence } from '../undo.js';
import { SvelteSet } from 'svelte/reactivity';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';
import { LatestRequest } from './latest.js';

export const THRESHOLDS = [
  { value: 'exact', label: 'Exact copies' },
  { value: 'very-close', label: 'Very close' },
  { value: 'close', label: 'Close' },
  { value: 'loose', label: 'Loose' },
] as const;

/** Which copy of each group is proposed to keep, in the user's words. */

/** Duplicate groups, the user's choice of copies to remove, and the trash action. */
export class DuplicatesState {
  threshold = $state<string>('close');
  /** Whether the library's default preset was taken as the starting threshold. */
  private presetTaken = false;
  /** The rule choosing the copy to keep in every group (changing it proposes again, across all groups). */
  keepRule = $state<KeepRuleChoice>('best-quality');
  /** For 'preferred-folder': the folder whose copy is kept (a full path). */
  keepFolder = $state('');
  /** For 'format-preference': formats in order of preference, comma-separated (`raw, heic, jpeg`). */
  keepFormats = $state('raw, heic, jpeg');
  groups = $state<DuplicateGroup[]>([]);
  /** Photo ids marked for the trash; starts as every copy not proposed to keep. */
  readonly selected = new SvelteSet<number>();
  loading = $state(false);
  /** Progress of the search in flight (grouping, then the pixel check of candidate pairs). */
  progress = $state<Progress | null>(null);
  error = $state<string | null>(null);
  confirming = $state(false);
  lastResult = $state<Result<'dupes.trash'> | null>(null);
  /** The bytes the last move freed. */
  lastFreed = $state(0);
  /** The last move to the trash, as the library keeps it (survives a restart): what Undo would put back. */
  lastTrashed = $state<Result<'dupes.lastTrashed'> | null>(null);
  undoing = $state(false);
  /** What the last undo did, in a sentence. */
  undoMessage = $state<string | null>(null);

  private readonly searches = new LatestRequest();

  constructor(private readonly client: () => ApiClient | null) {}

  get selectedCount(): number {
    return this.selected.size;
  }

  /** Bytes of the photos selected for the trash. */
  get selectedBytes(): number {
    let bytes = 0;
    for (const g of this.groups) for (const f of g.files) if (this.selected.has(f.id)) bytes += f.bytes;
    return bytes;
  }

  /** A group whose every copy is selected: the server would refuse, so the UI says so first. */
  get unsafeGroups(): number {
    return this.groups.filter((g) => g.files.every((f) => this.selected.has(f.id))).length;
  }

  /**
   * Finds the groups at the current threshold and proposes the selection. Only the latest search counts: an
   * earlier one still running is cancelled, and if its answer comes anyway it is dropped, so a slow search at
   * the old threshold can never replace the groups (and the user's choices) of the new one.
   */
  async load(): Promise<void> {
    const client = this.client();
    if (!client) return;
    if (!this.presetTaken) {
      // The first search uses the library's default preset (Settings); the user's choice here wins afterwards.
      this.presetTaken = true;
      const settings = await client.invoke('settings.get', {}).catch(() => null);
      if (settings) {
        this.threshold = settings.preset;
        ({
          choice: this.keepRule,
          folder: this.keepFolder,
          formats: this.keepFormats,
        } = keepRuleChoice(settings.keepRule, this.keepFormats));
      }
    }
    const search = this.searches.start();
    this.loading = true;
    this.progress = null;
    this.error = null;
    try {
      const { groups } = await client.invoke(
        'dupes.find',
        { threshold: this.threshold, keepRule: keepRuleArg(this.keepRule, this.keepFolder, this.keepFormats) },
        {
          signal: search.signal,
          onProgress: (p) => {
            if (search.isLatest()) this.progress = p;
          },
        },
      );
      if (!search.isLatest()) return;
      this.groups = groups;
      void this.loadLastTrashed();
      this.selected.clear();
      for (const g of groups) for (const f of g.files) if (!f.keep) this.selected.add(f.id);
    } catch (error) {
      if (!search.isLatest()) return;
      if (search.signal.aborted) {
        // The user cancelled: show no groups rather than those of the previous threshold.
        this.groups = [];
        this.selected.clear();
        this.error = 'Search cancelled.';
      } else this.error = describeError(error);
    } finally {
      if (search.finish()) {
        this.loading = false;
        this.progress = null;
      }
    }
  }

  /** Stops the search in flight (the server stops too). */
  cancel(): void {
    this.searches.cancel();
  }

  toggle(id: number): void {
    if (!this.selected.delete(id)) this.selected.add(id);
  }

  /** In the group of photo `id`: that photo kept, every other copy to the trash. */
  keepOnly(id: number): void {
    const group = this.groups.find((g) => g.files.some((f) => f.id === id));
    for (const f of group?.files ?? []) {
      if (f.id === id) this.selected.delete(f.id);
      else this.selected.add(f.id);
    }
  }

  /** Every copy of the group at `index` kept (none to the trash). */
  keepAll(index: number): void {
    for (const f of this.groups[index]?.files ?? []) this.selected.delete(f.id);
  }

  async trash(): Promise<void> {
    const client = this.client();
    if (!client || this.selected.size === 0) return;
    this.error = null;
    this.undoMessage = null;
    const freed = this.selectedBytes;
    try {
      this.lastResult = await client.invoke('dupes.trash', { photoIds: [...this.selected], threshold: this.threshold });
      this.lastFreed = freed;
      this.confirming = false;
      await this.load();
    } catch (error) {
      this.error = describeError(error);
      this.confirming = false;
      await this.loadLastTrashed();
    }
  }

  /** What the library says the last move to the trash left there (for Undo, also after a restart). */
  async loadLastTrashed(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.lastTrashed = await client.invoke('dupes.lastTrashed', {});
    } catch {
      this.lastTrashed = null; // Undo is offered only when the library can say what it would put back
    }
  }

  /** The group whose copies are compared side by side, by its first photo (the list changes as it is found again). */
  comparing = $state<number | null>(null);

  get compared(): DuplicateGroup | null {
    return this.groups.find((g) => g.files[0]?.id === this.comparing) ?? null;
  }

  /** The group last marked "not duplicates" (to take the mark back). */
  apartMarked = $state<{ ids: number[]; count: number } | null>(null);

  /** "Not duplicates": the group at `index` is marked and leaves the list (no search is run again). */
  async markApart(index: number): Promise<void> {
    const client = this.client();
    const group = this.groups[index];
    if (!client || !group) return;
    const ids = group.files.map((f) => f.id);
    this.error = null;
    try {
      await client.invoke('dupes.markApart', { photoIds: ids });
      this.groups = this.groups.filter((g) => g !== group);
      for (const id of ids) this.selected.delete(id);
      this.apartMarked = { ids, count: ids.length };
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Takes the last "not duplicates" mark back, and finds the groups again. */
  async unmarkApart(): Promise<void> {
    const client = this.client();
    const marked = this.apartMarked;
    if (!client || !marked) return;
    try {
      await client.invoke('dupes.markApart', { photoIds: marked.ids, apart: false });
      this.apartMarked = null;
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Puts back the files of the last move, and finds the groups again. */
  async undo(): Promise<void> {
    const client = this.client();
    if (!client || this.undoing) return;
    this.undoing = true;
    this.error = null;
    try {
      const { restored, notRestored } = await client.invoke('dupes.undoTrash', {});
      this.lastResult = null;
      this.undoMessage = undoSentence(restored.length, notRestored);
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.undoing = false;
    }
  }
}
