/**
 * The Electron shell: window, custom protocol, IPC wiring. The only module (with the preload) that imports electron.
 * Security: context isolation, sandbox, no Node in the renderer, strict CSP, navigation and new windows blocked,
 * and every IPC message validated by the dispatcher before it reaches a handler; the settings and rules are in
 * shell-policy.ts, where tests check them without Electron. One instance per user; the window's size and
 * position are remembered.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, shell, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Channel } from '../api/dispatch.js';
import { AppError } from '../api/errors.js';
import { createApp } from '../core/app.js';
import { applyPendingMove, libraryPath } from '../core/location.js';
import { copyLibraryFile } from '../library/db.js';
import { packageRoot, rendererDir } from '../core/paths.js';
import {
  allowedNavigation,
  closeBeforeQuit,
  CONTENT_SECURITY_POLICY,
  loadBounds,
  openInBrowser,
  routeRequest,
  saveBounds,
  SCHEME,
  START_URL,
  windowOptions,
} from './shell-policy.js';

const IPC_CHANNEL = 'lookalike:message';

// One app per user: a second start brings the first one's window forward instead.
if (!app.requestSingleInstanceLock()) app.quit();

protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// A move of the library chosen in Settings is made now, before anything opens it (electron/core/location.ts).
applyPendingMove(copyLibraryFile);
const where = libraryPath(undefined);
const lookalike = createApp({
  dbPath: where.path,
  dbSource: where.source,
  watch: true,
  trashFile: (file) => shell.trashItem(file),
  extraHandlers: {
    'app.pickFolder': async () => {
      const picked = await dialog.showOpenDialog({ properties: ['openDirectory'], title: 'Choose a photo folder' });
      return { path: picked.canceled ? null : (picked.filePaths[0] ?? null) };
    },
    'app.restart': async () => {
      app.relaunch();
      setTimeout(() => app.quit(), 100); // after the answer has gone
      return {};
    },
    'app.showPhoto': async ({ id, reveal }) => {
      const file = lookalike.library.photoFile(id);
      if (reveal) shell.showItemInFolder(file);
      else {
        const failure = await shell.openPath(file);
        if (failure) throw new AppError('IO_ERROR', `The system could not open ${file}: ${failure}`, { path: file });
      }
      return { path: file };
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
    const route = routeRequest(rendererDir, request.url);
    if (route.kind === 'thumb') {
      // Thumbnails come from the catalog by id, never from a path, so the page cannot read arbitrary files.
      const webp = lookalike.thumbnail(route.id);
      return webp
        ? new Response(new Uint8Array(webp), { headers: { 'Content-Type': 'image/webp' } })
        : new Response(null, { status: 404 });
    }
    if (route.kind === 'preview') {
      const webp = await lookalike.preview(route.id);
      return webp
        ? new Response(new Uint8Array(webp), { headers: { 'Content-Type': 'image/webp' } })
        : new Response(null, { status: 404 });
    }
    if (route.kind === 'refused') return new Response('Bad path', { status: 400 });
    const response = await net
      .fetch(pathToFileURL(route.path).href)
      .catch(() => net.fetch(pathToFileURL(path.join(rendererDir, 'index.html')).href));
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });
}

/** Where the window's size and position are remembered. */
const boundsFile = () => path.join(app.getPath('userData'), 'window.json');

function createWindow(): void {
  const window = new BrowserWindow(
    windowOptions(path.join(packageRoot, 'dist', 'electron', 'preload', 'index.cjs'), loadBounds(boundsFile())),
  );
  window.on('close', () => saveBounds(boundsFile(), window.getBounds()));
  dispatcher.connect(ipcChannel(window.webContents));
  void window.loadURL(START_URL);
}

app.on('second-instance', () => {
  const [window] = BrowserWindow.getAllWindows();
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.focus();
});

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    if (openInBrowser(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!allowedNavigation(url)) event.preventDefault();
  });
});

ipcMain.on(IPC_CHANNEL, (event, message: unknown) => {
  if (!allowedNavigation(event.senderFrame?.url ?? '')) return; // only our own pages may talk to the API
  channels.get(event.sender.id)?.deliver(message);
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

closeBeforeQuit(app, () => lookalike.close());

void app.whenReady().then(() => {
  serveRenderer();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});
