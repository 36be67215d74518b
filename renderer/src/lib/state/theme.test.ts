import { describe, expect, it } from 'vitest';
import { resolveTheme } from './theme.svelte.js';

describe('the colour theme', () => {
  it('follows the system unless the user chose one', () => {
    expect(resolveTheme('auto', true)).toBe('dark');
    expect(resolveTheme('auto', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });
});
