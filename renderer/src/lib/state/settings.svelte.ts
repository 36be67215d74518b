import type { LibrarySettings } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { describeError } from './app.svelte.js';

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
