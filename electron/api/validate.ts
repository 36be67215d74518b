import { z } from 'zod';
import type { Args, Method } from './contract.js';
import { AppError } from './errors.js';

const empty = z.object({}).strict();
const path = z.string().min(1).max(4096);
/** Checked for content by the albums service (electron/library/albums.ts); here only bounded. */
const albumName = z.string().max(1000);
const threshold = z.union([z.string().max(32), z.number().int().min(0).max(128)]);
const keepRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('best-quality') }).strict(),
  z.object({ kind: z.literal('newest') }).strict(),
  z.object({ kind: z.literal('oldest') }).strict(),
  z.object({ kind: z.literal('preferred-folder'), folder: path }).strict(),
  z
    .object({ kind: z.literal('format-preference'), formats: z.array(z.string().min(1).max(16)).min(1).max(32) })
    .strict(),
]);

/**
 * Runtime schemas for every handler's arguments. The mapped type makes the compiler check that each
 * schema produces exactly the contract's `args` type, so the two cannot drift apart.
 */
const argSchemas: { [K in Method]: z.ZodType<Args<K>> } = {
  'app.info': empty as z.ZodType<Record<string, never>>,
  'app.ping': z
    .object({
      message: z.string().max(10_000),
      delayMs: z.number().int().min(0).max(60_000).optional(),
      steps: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  'app.pickFolder': empty as z.ZodType<Record<string, never>>,
  'app.chooseLibraryLocation': z.object({ folder: z.string().min(1), move: z.boolean() }).strict(),
  'app.restart': empty as z.ZodType<Record<string, never>>,
  'app.setProvider': z.object({ provider: z.enum(['auto', 'cuda', 'dml', 'coreml', 'cpu']) }).strict(),
  'app.showPhoto': z.object({ id: z.number().int().positive(), reveal: z.boolean().optional() }).strict(),
  'model.encode': z.object({ path }).strict(),
  'scan.run': z.object({ folders: z.array(path).min(1).max(100) }).strict(),
  'dupes.find': z
    .object({ threshold: threshold.optional(), keepRule: keepRule.optional(), geometric: z.boolean().optional() })
    .strict(),
  'dupes.trash': z
    .object({
      photoIds: z.array(z.number().int().positive()).min(1).max(100_000),
      threshold: threshold.optional(),
      geometric: z.boolean().optional(),
      dryRun: z.boolean().optional(),
    })
    .strict(),
  'dupes.lastTrashed': empty as z.ZodType<Record<string, never>>,
  'dupes.undoTrash': empty as z.ZodType<Record<string, never>>,
  'dupes.markApart': z
    .object({ photoIds: z.array(z.number().int().positive()).min(2).max(200), apart: z.boolean().optional() })
    .strict(),
  'dupes.markedApart': empty as z.ZodType<Record<string, never>>,
  'dupes.forgetApart': empty as z.ZodType<Record<string, never>>,
  'similar.find': z.object({ path, limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  'similar.findImage': z
    .object({
      name: z.string().min(1).max(255),
      // base64 of at most ~700 KB: the message limit is 1 MB.
      data: z
        .string()
        .min(8)
        .max(950_000)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'data must be base64'),
      limit: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
  'library.photos': z
    .object({
      offset: z.number().int().min(0).max(100_000_000),
      limit: z.number().int().min(1).max(1000),
      sort: z.enum(['name', 'date', 'size', 'folder']).optional(),
    })
    .strict(),
  'library.failed': z
    .object({ offset: z.number().int().min(0).max(100_000_000), limit: z.number().int().min(1).max(1000) })
    .strict(),
  'library.folders': empty as z.ZodType<Record<string, never>>,
  'library.forgetFolder': z.object({ path }).strict(),
  'library.completeFolder': z.object({ prefix: z.string().max(4096) }).strict(),
  'settings.get': empty as z.ZodType<Record<string, never>>,
  'settings.set': z
    .object({
      geometric: z.boolean().optional(),
      preset: z.enum(['exact', 'very-close', 'close', 'loose']).optional(),
      keepRule: keepRule.optional(),
      watch: z.boolean().optional(),
    })
    .strict(),
  'album.list': empty as z.ZodType<Record<string, never>>,
  'album.create': z.object({ name: albumName }).strict(),
  'album.rename': z.object({ name: albumName, to: albumName }).strict(),
  'album.delete': z.object({ name: albumName }).strict(),
  'album.add': z.object({ name: albumName, paths: z.array(path).min(1).max(100_000) }).strict(),
  'album.remove': z.object({ name: albumName, paths: z.array(path).min(1).max(100_000) }).strict(),
  'album.show': z.object({ name: albumName }).strict(),
  'train.run': z
    .object({
      albums: z.array(albumName).min(1).max(10_000).optional(),
      epochs: z.number().int().min(1).max(1000).optional(),
      use: z.boolean().optional(),
      method: z.enum(['dph', 'dpsh', 'drlih']).optional(),
    })
    .strict(),
  'model.list': empty as z.ZodType<Record<string, never>>,
  'model.use': z.object({ version: z.string().min(1).max(500) }).strict(),
  'model.reset': empty as z.ZodType<Record<string, never>>,
};

export function isMethod(name: string): name is Method {
  return Object.hasOwn(argSchemas, name);
}

/** Validate untrusted arguments for `method`; throws BAD_REQUEST naming the offending fields. */
export function validateArgs<K extends Method>(method: K, args: unknown): Args<K> {
  const parsed = argSchemas[method].safeParse(args ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`);
    throw new AppError('BAD_REQUEST', `Invalid arguments for ${method}: ${issues.join('; ')}`, { issues });
  }
  return parsed.data;
}
