/**
 * Used only where the `electron` package is absent (it is an optional dependency whose install needs
 * Node >= 22.12 and a binary download, neither of which CI has). It declares just the API that
 * electron/main and electron/preload use, so they are still type-checked; on a machine with Electron
 * installed, its own complete typings are used instead (see scripts/tsc.js).
 */
declare module 'electron' {
  interface Event {
    preventDefault(): void;
  }
  export interface WebContents {
    readonly id: number;
    isDestroyed(): boolean;
    send(channel: string, ...args: unknown[]): void;
    once(event: 'destroyed', listener: () => void): this;
    on(event: 'will-navigate', listener: (event: Event, url: string) => void): this;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  }
  export interface IpcMainEvent {
    sender: WebContents;
    senderFrame: { url: string } | null;
  }
  export interface IpcRendererEvent {
    sender: unknown;
  }
  export const app: {
    on(event: 'web-contents-created', listener: (event: Event, contents: WebContents) => void): void;
    on(event: 'window-all-closed' | 'activate' | 'second-instance', listener: () => void): void;
    on(event: 'will-quit', listener: (event: Event) => void): void;
    whenReady(): Promise<void>;
    quit(): void;
    requestSingleInstanceLock(): boolean;
    relaunch(): void;
    getPath(name: 'userData'): string;
  };
  export class BrowserWindow {
    constructor(options: {
      x?: number;
      y?: number;
      width?: number;
      height?: number;
      minWidth?: number;
      minHeight?: number;
      title?: string;
      webPreferences?: {
        preload?: string;
        contextIsolation?: boolean;
        sandbox?: boolean;
        nodeIntegration?: boolean;
        nodeIntegrationInWorker?: boolean;
        webSecurity?: boolean;
        allowRunningInsecureContent?: boolean;
        webviewTag?: boolean;
      };
    });
    readonly webContents: WebContents;
    loadURL(url: string): Promise<void>;
    on(event: 'close', listener: () => void): this;
    getBounds(): { x: number; y: number; width: number; height: number };
    isMinimized(): boolean;
    restore(): void;
    focus(): void;
    static getAllWindows(): BrowserWindow[];
  }
  export const ipcMain: { on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): void };
  export const ipcRenderer: {
    send(channel: string, ...args: unknown[]): void;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: never[]) => void): void;
    removeListener(channel: string, listener: (...args: never[]) => void): void;
  };
  export const contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  export const net: { fetch(url: string): Promise<Response> };
  export const protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
  export const dialog: {
    showOpenDialog(options: {
      properties: string[];
      title?: string;
    }): Promise<{ canceled: boolean; filePaths: string[] }>;
  };
  export const shell: {
    openExternal(url: string): Promise<void>;
    trashItem(path: string): Promise<void>;
    /** Resolves to an error message, or '' when the file was opened. */
    openPath(path: string): Promise<string>;
    showItemInFolder(fullPath: string): void;
  };
}
