import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { userDataDir } from './paths.js';

describe('user data folder and database path', () => {
  it('follows XDG on Linux, Application Support on macOS, APPDATA on Windows', () => {
    expect(userDataDir({ HOME: '/home/u' }, 'linux')).toBe(path.join('/home/u', '.local', 'share', 'lookalike'));
    expect(userDataDir({ HOME: '/home/u', XDG_DATA_HOME: '/data' }, 'linux')).toBe(path.join('/data', 'lookalike'));
    expect(userDataDir({ HOME: '/Users/u' }, 'darwin')).toBe(
      path.join('/Users/u', 'Library', 'Application Support', 'Lookalike'),
    );
    expect(userDataDir({ HOME: 'C:/Users/u', APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32')).toBe(
      path.join('C:/Users/u/AppData/Roaming', 'Lookalike'),
    );
  });
});
