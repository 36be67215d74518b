import { describe, expect, it } from 'vitest';
import { keepRuleArg, keepRuleChoice } from './keep-rule.js';

describe('the keep rule from what the user chose and typed', () => {
  it('builds each rule, and falls back to best quality where nothing is typed', () => {
    expect(keepRuleArg('newest', '', '')).toEqual({ kind: 'newest' });
    expect(keepRuleArg('preferred-folder', ' /home/me/Best ', '')).toEqual({
      kind: 'preferred-folder',
      folder: '/home/me/Best',
    });
    expect(keepRuleArg('preferred-folder', '  ', '')).toEqual({ kind: 'best-quality' });
    expect(keepRuleArg('format-preference', '', 'raw, heic,,jpeg ')).toEqual({
      kind: 'format-preference',
      formats: ['raw', 'heic', 'jpeg'],
    });
    expect(keepRuleArg('format-preference', '', ' , ')).toEqual({ kind: 'best-quality' });
  });
});

describe('what the user chose, from a kept rule', () => {
  it('gives back the choice and what was typed, so that keepRuleArg makes the same rule again', () => {
    const rules = [
      { kind: 'best-quality' },
      { kind: 'oldest' },
      { kind: 'preferred-folder', folder: '/home/me/Best' },
      { kind: 'format-preference', formats: ['raw', 'jpeg'] },
    ] as const;
    for (const rule of rules) {
      const { choice, folder, formats } = keepRuleChoice(rule, 'heic');
      expect(keepRuleArg(choice, folder, formats)).toEqual(rule);
    }
    expect(keepRuleChoice({ kind: 'newest' }, 'heic, jpeg').formats).toBe('heic, jpeg');
  });
});
