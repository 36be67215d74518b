import type { LibrarySettings } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';

/** The presets in the words the app shows them. */
export const PRESET_WORDS: Record<LibrarySettings['preset'], string> = {
  exact: 'Exact copies',
  'very-close': 'Very close',
  close: 'Close',
  loose: 'Loose',
};

/** The library's settings as the Settings view changes them. */
export class SettingsState {
  settings = $state<LibrarySettings | null>(null);
  error = $state<string | null>(null);
  saved = $state<string | null>(null);
  /** Pairs of photos marked "not duplicates". */
  apartPairs = $state<number | null>(null);

  constructor(private readonly client: () => ApiClient | null) {}

  async load(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.settings = await client.invoke('settings.get', {});
      this.apartPairs = (await client.invoke('dupes.markedApart', {})).total;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  async setGeometric(on: boolean): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.error = null;
      this.settings = await client.invoke('settings.set', { geometric: on });
      this.saved = on
        ? 'Turned and mirrored copies will count as duplicates; photos scanned from now on are encoded for it.'
        : 'Turned and mirrored copies no longer count as duplicates.';
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** The preset duplicate searches start from (here and in the command line). */
  async setPreset(preset: LibrarySettings['preset']): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.error = null;
      this.settings = await client.invoke('settings.set', { preset });
      this.saved = `Duplicate searches will start from “${PRESET_WORDS[preset]}”.`;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Forgets every "not duplicates" mark: those groups are found again. */
  async forgetApart(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.error = null;
      const { forgotten } = await client.invoke('dupes.forgetApart', {});
      this.apartPairs = 0;
      this.saved = `Forgot ${forgotten} "not duplicates" mark${forgotten === 1 ? '' : 's'}: those photos can be grouped again.`;
    } catch (error) {
      this.error = describeError(error);
    }
  }
}
