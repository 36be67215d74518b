import type { KeepRuleArg } from '../../../electron/api/contract.js';

/** The keep rules the Duplicates view and Settings offer, in words. */
export const KEEP_RULES: readonly { value: KeepRuleChoice; label: string }[] = [
  { value: 'best-quality', label: 'the likeliest original' },
  { value: 'newest', label: 'the newest photo' },
  { value: 'oldest', label: 'the oldest photo' },
  { value: 'preferred-folder', label: 'the copy in a folder…' },
  { value: 'format-preference', label: 'the copy in a format…' },
];

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

/** What the user chose and typed, from a rule (the inverse of `keepRuleArg`; `formats` when the rule has none). */
export function keepRuleChoice(
  rule: KeepRuleArg,
  formats: string,
): { choice: KeepRuleChoice; folder: string; formats: string } {
  if (rule.kind === 'preferred-folder') return { choice: rule.kind, folder: rule.folder, formats };
  if (rule.kind === 'format-preference') return { choice: rule.kind, folder: '', formats: rule.formats.join(', ') };
  return { choice: rule.kind, folder: '', formats };
}
