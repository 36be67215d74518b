import type { LookalikeBridge } from '../../../../electron/api/contract.js';
import { type ApiClient, connectBridge, connectWebSocket } from './client.js';

/** Whether the page runs in the desktop app (which can open a photo in the OS viewer or show it in its folder). */
export function isDesktop(): boolean {
  return !!(window as unknown as { lookalike?: LookalikeBridge }).lookalike;
}

/** Pick the transport at startup: the Electron bridge when present, else the WebSocket of browser mode. */
export async function connect(): Promise<ApiClient> {
  const bridge = (window as unknown as { lookalike?: LookalikeBridge }).lookalike;
  if (bridge) return connectBridge(bridge);
  const token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('lookalike-token') ?? '';
  if (token) sessionStorage.setItem('lookalike-token', token);
  const url = `${location.protocol}//${location.host}/?token=${encodeURIComponent(token)}`;
  return connectWebSocket(url, WebSocket);
}
