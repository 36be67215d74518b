import { describe, expect, it } from 'vitest';
import { keepRuleArg } from './keep-rule.js';

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
