/**
 * The Electron shell: window, custom protocol, IPC wiring. The only module (with the preload) that imports electron.
 * Security: context isolation, sandbox, no Node in the renderer, strict CSP, navigation and new windows blocked,
 * and every IPC message validated by the dispatcher before it reaches a handler.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, shell, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Channel } from '../api/dispatch.js';
import { createApp } from '../core/app.js';
import { packageRoot, rendererDir, resolveDbPath } from '../core/paths.js';
import { CONTENT_SECURITY_POLICY, resolveInside } from '../server/static.js';

const SCHEME = 'app';
const IPC_CHANNEL = 'lookalike:message';

protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const lookalike = createApp({
  dbPath: resolveDbPath(undefined),
  trashFile: (file) => shell.trashItem(file),
  extraHandlers: {
    'app.pickFolder': async () => {
      const picked = await dialog.showOpenDialog({ properties: ['openDirectory'], title: 'Choose a photo folder' });
      return { path: picked.canceled ? null : (picked.filePaths[0] ?? null) };
    },
  },
});
const { dispatcher } = lookalike;
const channels = new Map<number, { deliver(message: unknown): void }>();

/** Adapt one renderer's IPC to the dispatcher's channel protocol. */
function ipcChannel(contents: WebContents): Channel {
  let deliver: (message: unknown) => void = () => {};
  channels.set(contents.id, { deliver: (m) => deliver(m) });
  return {
    send: (message) => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNEL, message);
    },
    onMessage: (listener) => {
      deliver = listener;
    },
    onClose: (listener) => {
      contents.once('destroyed', () => {
        channels.delete(contents.id);
        listener();
      });
    },
  };
}

function serveRenderer(): void {
  protocol.handle(SCHEME, async (request) => {
    const { pathname } = new URL(request.url);
    const thumb = /^\/thumb\/(\d{1,15})$/.exec(pathname);
    if (thumb) {
      // Thumbnails come from the catalog by id, never from a path, so the page cannot read arbitrary files.
      const webp = lookalike.thumbnail(Number(thumb[1]));
      return webp
        ? new Response(new Uint8Array(webp), { headers: { 'Content-Type': 'image/webp' } })
        : new Response(null, { status: 404 });
    }
    const file = resolveInside(rendererDir, pathname);
    if (!file) return new Response('Bad path', { status: 400 });
    const response = await net
      .fetch(pathToFileURL(file).href)
      .catch(() => net.fetch(pathToFileURL(path.join(rendererDir, 'index.html')).href));
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Lookalike',
    webPreferences: {
      preload: path.join(packageRoot, 'dist', 'electron', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  dispatcher.connect(ipcChannel(window.webContents));
  void window.loadURL(`${SCHEME}://lookalike/index.html`);
}

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${SCHEME}://`)) event.preventDefault();
  });
});

ipcMain.on(IPC_CHANNEL, (event, message: unknown) => {
  if (!event.senderFrame?.url.startsWith(`${SCHEME}://`)) return; // only our own pages may talk to the API
  channels.get(event.sender.id)?.deliver(message);
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => void lookalike.close());

void app.whenReady().then(() => {
  serveRenderer();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});
