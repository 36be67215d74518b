import type { KeepRuleArg } from '../../../electron/api/contract.js';

/** The keep rules the Duplicates view offers. */
export type KeepRuleChoice = 'best-quality' | 'newest' | 'oldest' | 'preferred-folder' | 'format-preference';

/**
 * The rule as the API takes it, from what the user chose and typed: a folder (a full path) or formats in order of
 * preference (comma-separated). A folder or format rule with nothing typed falls back to best quality.
 */
export function keepRuleArg(choice: KeepRuleChoice, folder: string, formats: string): KeepRuleArg {
  if (choice === 'preferred-folder')
    return folder.trim() ? { kind: 'preferred-folder', folder: folder.trim() } : { kind: 'best-quality' };
  if (choice === 'format-preference') {
    const list = formats
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    return list.length ? { kind: 'format-preference', formats: list } : { kind: 'best-quality' };
  }
  return { kind: choice };
}
