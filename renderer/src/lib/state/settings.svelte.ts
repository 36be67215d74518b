import type { AppInfo, LibrarySettings } from '../../../../electron/api/contract.js';
import type { ApiClient } from '../api/client.js';
import { KEEP_RULES, type KeepRuleChoice, keepRuleArg, keepRuleChoice } from '../keep-rule.js';
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
      ({
        choice: this.keepChoice,
        folder: this.keepFolder,
        formats: this.keepFormats,
      } = keepRuleChoice(this.settings.keepRule, this.keepFormats));
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

  async setWatch(on: boolean): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.error = null;
      this.settings = await client.invoke('settings.set', { watch: on });
      this.saved = on
        ? "The library's folders are watched: photos added, changed or removed there are found while Lookalike is open."
        : "The library's folders are no longer watched: scan them to find changes.";
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

  /** The keep rule as chosen and typed here (from the library's, when loaded). */
  keepChoice = $state<KeepRuleChoice>('best-quality');
  keepFolder = $state('');
  keepFormats = $state('raw, heic, jpeg');

  /** Keeps the rule chosen here as the library's (a folder or format rule with nothing typed is best quality). */
  async setKeepRule(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.error = null;
      this.settings = await client.invoke('settings.set', {
        keepRule: keepRuleArg(this.keepChoice, this.keepFolder, this.keepFormats),
      });
      const label = KEEP_RULES.find((r) => r.value === this.settings!.keepRule.kind)?.label ?? '';
      this.saved = `Each group will propose keeping ${label.replace('…', '').trim()}${
        this.settings.keepRule.kind === 'preferred-folder'
          ? ` ${this.settings.keepRule.folder}`
          : this.settings.keepRule.kind === 'format-preference'
            ? ` ${this.settings.keepRule.formats.join(', ')}`
            : ''
      }, unless you choose another rule in Duplicates.`;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** The execution provider chosen here (null: as the app was started with). */
  provider = $state<AppInfo['providerChoice'] | null>(null);

  /** Runs the model on `provider` from the next start. */
  async setProvider(provider: AppInfo['providerChoice']): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      this.error = null;
      const result = await client.invoke('app.setProvider', { provider });
      this.provider = result.provider;
      this.saved = result.note;
      this.restartWanted = true;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** The folder typed or picked for the library's new place. */
  libraryFolder = $state('');
  /** A new place was chosen: the desktop app can start again to use it. */
  restartWanted = $state(false);

  /** Desktop app: the OS dialog for the library's new folder. */
  async pickLibraryFolder(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      const { path } = await client.invoke('app.pickFolder', {});
      if (path) this.libraryFolder = path;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Moves the library into the folder (at the next start), or uses the library already there. */
  async chooseLibrary(move: boolean): Promise<void> {
    const client = this.client();
    const folder = this.libraryFolder.trim();
    if (!client) return;
    if (!folder) {
      this.error = 'Type or choose a folder first.';
      return;
    }
    try {
      this.error = null;
      this.saved = (await client.invoke('app.chooseLibraryLocation', { folder, move })).note;
      this.restartWanted = true;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  async restart(): Promise<void> {
    const client = this.client();
    if (!client) return;
    try {
      await client.invoke('app.restart', {});
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
