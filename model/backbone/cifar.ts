/**
 * CIFAR-10 as JPEG files (../shared/data/cifar10/cifar10-jpeg.tar.gz, extracted once to the temp
 * folder, never into the repository), for the backbone benchmark, the ITQ fitter and the descriptor export.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** ../shared/data relative to the project root (the working directory of npm scripts). */
export const SHARED_DATA_DIR = path.resolve(process.env.LOOKALIKE_SHARED_DATA ?? '../shared/data');

export interface LabelledFile {
  file: string;
  label: number;
  split: 'train' | 'test';
}

/** Extracts the archive if needed; returns the folder holding train/ and test/. */
export function cifar10Dir(): string {
  const archive = path.join(SHARED_DATA_DIR, 'cifar10', 'cifar10-jpeg.tar.gz');
  const dir = path.join(os.tmpdir(), 'lookalike-cifar10');
  if (existsSync(path.join(dir, 'test', 'truck'))) return dir;
  if (!existsSync(archive)) throw new Error(`CIFAR-10 not found at ${archive} (see ../shared/data/README.md)`);
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`extracting CIFAR-10 to ${dir}\n`);
  execFileSync('tar', ['xzf', archive, '-C', dir]);
  return dir;
}

/** Every image, class by class, train before test, files sorted: a stable order for exported rows. */
export function cifar10Files(): LabelledFile[] {
  const dir = cifar10Dir();
  return CIFAR10_CLASSES.flatMap((cls, label) =>
    (['train', 'test'] as const).flatMap((split) =>
      readdirSync(path.join(dir, split, cls))
        .sort()
        .map((f) => ({ file: path.join(dir, split, cls, f), label, split })),
    ),
  );
}

/** The real photographs in ../shared/data/photos. */
export function sharedPhotos(): string[] {
  const dir = path.join(SHARED_DATA_DIR, 'photos');
  if (!existsSync(dir)) throw new Error(`photos not found at ${dir} (see ../shared/data/README.md)`);
  return readdirSync(dir)
    .sort()
    .map((f) => path.join(dir, f));
}
