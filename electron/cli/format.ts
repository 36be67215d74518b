import type { Method, Result } from '../api/contract.js';

/** Human-readable text for a handler's result (the CLI's default output). */
export function formatHuman<K extends Method>(method: K, result: Result<K>): string {
  if (method === 'app.info') {
    const info = result as Result<'app.info'>;
    const m = info.model;
    const model = `${m.state}${m.version ? ` (version ${m.version}, ${m.bits} bits${m.provider ? `, ${m.provider}` : ''})` : ''}${m.message ? ` — ${m.message}` : ''}`;
    return [
      `Lookalike ${info.version} on ${info.platform}, Node ${info.node}`,
      `Library: ${info.dbPath}`,
      `Model:   ${model}`,
      ...m.providerNotes.map((n) => `         ${n}`),
    ].join('\n');
  }
  return JSON.stringify(result, null, 2);
}
