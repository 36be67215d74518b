// Sandboxed preload: exposes a minimal message bridge as `window.lookalike` and nothing else.
// A sandboxed preload cannot require project files, so the channel name is repeated from electron/main.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS is required for a sandboxed preload
import electron = require('electron');
import type { ClientMessage, LookalikeBridge, ServerMessage } from '../api/contract.js';

const { contextBridge, ipcRenderer } = electron;
const IPC_CHANNEL = 'lookalike:message';

const bridge: LookalikeBridge = {
  send(message: ClientMessage) {
    ipcRenderer.send(IPC_CHANNEL, message);
  },
  on(listener: (message: ServerMessage) => void) {
    const handler = (_event: electron.IpcRendererEvent, message: ServerMessage) => listener(message);
    ipcRenderer.on(IPC_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('lookalike', bridge);
