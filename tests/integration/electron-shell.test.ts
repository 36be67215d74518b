import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  allowedNavigation,
  closeBeforeQuit,
  CONTENT_SECURITY_POLICY,
  DEFAULT_BOUNDS,
  loadBounds,
  openInBrowser,
  routeRequest,
  saveBounds,
  START_URL,
  windowOptions,
} from '../../electron/main/shell-policy.js';
import { tempDir } from '../helpers/temp-dir.js';

// The desktop shell's settings, checked under Node (Electron's binary cannot be installed here; electron/main/index.ts
// passes exactly these to Electron), and the packaging config against what the app opens at run time.
describe('the Electron shell', () => {
  it('gives the page no Node, a sandbox, an isolated world and web security', () => {
    const { webPreferences, minWidth, minHeight } = windowOptions('/app/dist/electron/preload/index.cjs');
    expect(webPreferences).toEqual({
      preload: '/app/dist/electron/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect([minWidth, minHeight]).toEqual([640, 480]);
    expect(START_URL).toBe('app://lookalike/index.html');
  });

  it('serves a strict content security policy', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    // No wildcard source, no eval, and nothing from another machine (the API's WebSocket is on this one).
    for (const [name, values] of directives) {
      for (const value of values) {
        expect(value, name).not.toBe('*');
        expect(value, name).not.toBe("'unsafe-eval'");
        if (/^[a-z]+:\/\//.test(value)) expect(value, name).toMatch(/^wss?:\/\/(127\.0\.0\.1|localhost):\*$/);
      }
    }
  });

  it('lets the page navigate only within the app, and opens only https links outside', () => {
    expect(allowedNavigation('app://lookalike/index.html')).toBe(true);
    for (const url of ['https://example.com', 'file:///etc/passwd', 'http://127.0.0.1:8080/', 'javascript:alert(1)'])
      expect(allowedNavigation(url), url).toBe(false);
    expect(openInBrowser('https://lookalike.app/help')).toBe(true);
    for (const url of ['http://example.com', 'file:///home/me/photo.jpg', 'app://lookalike/x'])
      expect(openInBrowser(url), url).toBe(false);
  });

  it('serves thumbnails and previews by photo id only, and files only inside the renderer folder', () => {
    const root = tempDir('renderer');
    writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    expect(routeRequest(root, 'app://lookalike/thumb/42')).toEqual({ kind: 'thumb', id: 42 });
    expect(routeRequest(root, 'app://lookalike/preview/42')).toEqual({ kind: 'preview', id: 42 });
    expect(routeRequest(root, 'app://lookalike/index.html')).toEqual({
      kind: 'file',
      path: path.join(root, 'index.html'),
    });
    for (const url of [
      'app://lookalike/thumb/-1',
      'app://lookalike/thumb/1.5',
      'app://lookalike/thumb/..%2f..%2fetc%2fpasswd',
      'app://lookalike/preview/%2fetc%2fpasswd',
      'app://lookalike/preview/7/../../x',
      'app://lookalike/../../etc/passwd',
      'app://lookalike/%2e%2e/%2e%2e/etc/passwd',
      'app://lookalike/%252e%252e/etc/passwd',
      'app://lookalike/..%5c..%5cwindows',
      'file:///etc/passwd',
      'not a url',
    ]) {
      const route = routeRequest(root, url);
      if (route.kind === 'file') expect(route.path.startsWith(root + path.sep), url).toBe(true);
      else expect(route.kind, url).toBe('refused');
    }
  });

  it('remembers the window size and position, and ignores a damaged record', () => {
    const dir = tempDir('bounds');
    const file = path.join(dir, 'window.json');
    expect(loadBounds(file)).toEqual(DEFAULT_BOUNDS);
    saveBounds(file, { x: 40, y: 30, width: 1400, height: 900 });
    expect(loadBounds(file)).toEqual({ x: 40, y: 30, width: 1400, height: 900 });
    for (const bad of ['{', '{"width":10,"height":10}', '{"width":"wide","height":900}', 'null']) {
      writeFileSync(file, bad);
      expect(loadBounds(file), bad).toEqual(DEFAULT_BOUNDS);
    }
    saveBounds(path.join(dir, 'no', 'such', 'folder', 'window.json'), DEFAULT_BOUNDS); // does not throw
  });
});

/** Whether `dir` holds a native module (a .node file), looking a few levels down. */
function holdsNativeCode(dir: string, depth = 5): boolean {
  if (depth < 0 || !existsSync(dir)) return false;
  return readdirSync(dir).some((name) => {
    const file = path.join(dir, name);
    if (name.endsWith('.node')) return true;
    return name !== 'test' && statSync(file).isDirectory() && holdsNativeCode(file, depth - 1);
  });
}

describe('quitting the desktop app', () => {
  it('waits for the app to close before it quits, once, and quits even when closing fails', async () => {
    for (const fails of [false, true]) {
      const listeners: ((event: { preventDefault(): void }) => void)[] = [];
      let quits = 0;
      let prevented = 0;
      const app = { on: (_: 'will-quit', l: (typeof listeners)[number]) => listeners.push(l), quit: () => quits++ };
      let finish: () => void = () => {};
      let closes = 0;
      const close = () => {
        closes++;
        return new Promise<void>((resolve, reject) => (finish = fails ? () => reject(new Error('x')) : resolve));
      };
      closeBeforeQuit(app, close);
      const quit = () => listeners.forEach((l) => l({ preventDefault: () => prevented++ }));
      quit();
      quit(); // a second quit while closing: held back too, no second close
      expect({ closes, prevented, quits }).toEqual({ closes: 1, prevented: 2, quits: 0 });
      finish();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(quits).toBe(1);
      quit(); // the quit it asked for goes through
      expect({ closes, prevented }).toEqual({ closes: 1, prevented: 2 });
    }
  });
});

describe('the packaging config (electron-builder.yml)', () => {
  const config = load(readFileSync('electron-builder.yml', 'utf8')) as {
    files: string[];
    asarUnpack: string[];
    npmRebuild: boolean;
    electronVersion: string;
  };
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    dependencies: Record<string, string>;
    optionalDependencies: Record<string, string>;
    scripts: Record<string, string>;
  };

  it('keeps every dependency with native code, and the model files, outside the asar archive', () => {
    const native = Object.keys(pkg.dependencies).filter((name) => holdsNativeCode(path.join('node_modules', name)));
    expect(native).toEqual(expect.arrayContaining(['better-sqlite3', 'onnxruntime-node']));
    for (const name of native) expect(config.asarUnpack, name).toContain(`node_modules/${name}/**`);
    // sharp's libvips and binding come in @img/sharp-<platform> packages.
    expect(config.asarUnpack).toContain('node_modules/sharp/**');
    expect(config.asarUnpack).toContain('node_modules/@img/**');
    expect(holdsNativeCode(path.join('node_modules', '@img'))).toBe(true);
    expect(config.asarUnpack).toContain('model/artifacts/**');
    expect(config.npmRebuild).toBe(true);
  });

  it('is what `npm run dist` packages, after a fresh build, with the Electron the app installs', () => {
    expect(pkg.scripts.dist).toBe('npm run build && electron-builder');
    expect(existsSync('node_modules/electron-builder/package.json')).toBe(true);
    // The packaged Electron is the one `npm ci` installs for `npm start` (a caret range of the pinned version).
    expect(pkg.optionalDependencies.electron).toBe(`^${config.electronVersion}`);
  });

  it('ships what the app opens at run time: the build, the model files, the preload', () => {
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/**', 'model/artifacts/**']));
    const manifest = JSON.parse(readFileSync('model/artifacts/manifest.json', 'utf8')) as {
      backbone: { file: string };
      heads: Record<string, { file: string }>;
    };
    for (const file of [manifest.backbone.file, ...Object.values(manifest.heads).map((h) => h.file)])
      expect(existsSync(path.join('model/artifacts', file)), file).toBe(true);
    // electron/main/index.ts loads the preload from the build.
    expect(existsSync('dist/electron/preload/index.cjs')).toBe(true);
  });
});
