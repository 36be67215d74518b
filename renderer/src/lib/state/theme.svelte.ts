/** The colour theme: following the OS (`auto`, the default) or the user's choice, kept in the browser's storage. */
export type ThemeChoice = 'auto' | 'light' | 'dark';

const KEY = 'lookalike.theme';

/** The theme a choice shows, given whether the OS prefers dark. */
export function resolveTheme(choice: ThemeChoice, osPrefersDark: boolean): 'light' | 'dark' {
  return choice === 'auto' ? (osPrefersDark ? 'dark' : 'light') : choice;
}

export class ThemeState {
  choice = $state<ThemeChoice>('auto');
  private readonly media = window.matchMedia('(prefers-color-scheme: dark)');

  constructor() {
    const stored = localStorage.getItem(KEY);
    if (stored === 'light' || stored === 'dark' || stored === 'auto') this.choice = stored;
    this.media.addEventListener('change', () => this.apply());
    this.apply();
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    localStorage.setItem(KEY, choice);
    this.apply();
  }

  private apply(): void {
    document.documentElement.dataset.theme = resolveTheme(this.choice, this.media.matches);
  }
}
