/** Vitest setup file: each test file's temporary folders (tests/helpers/temp-dir.ts) go when it ends. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

afterAll(removeTempDirs);
