import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ApiError, Method, Progress, Result } from '../api/contract.js';
import type { Dispatcher } from '../api/dispatch.js';
import { toApiError } from '../api/errors.js';
import { type App, createApp } from '../core/app.js';
import { applyPendingMove, libraryPath } from '../core/location.js';
import { copyLibraryFile } from '../library/db.js';
import { packageVersion, rendererDir } from '../core/paths.js';
import { startServer } from '../server/server.js';
import { formatDuplicates, formatHuman } from './format.js';
import { ProgressLog, progressText } from './progress.js';

interface Command {
  summary: string;
  usage: string;
  options?: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(ctx: CommandContext): Promise<number>;
}

interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  json: boolean;
  dispatcher: Dispatcher;
  app: App;
  dbPath: string;
}

/** Exit codes: 0 ok, 1 the operation failed, 2 bad usage or not implemented yet. */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const GLOBAL_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Progress on stderr: redrawn in place on a terminal, sparse lines elsewhere (electron/cli/progress.ts). */
function progressReporter(): (progress: Progress) => void {
  const log = new ProgressLog();
  return (progress) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[K${progressText(progress)}`);
      return;
    }
    const line = log.line(progress, performance.now());
    if (line !== null) process.stderr.write(`${line}\n`);
  };
}

/** `--keep best|newest|oldest` as a keep rule: undefined when not given, null when it is none of them. */
function keepFlag(value: string | undefined): { kind: 'best-quality' | 'newest' | 'oldest' } | null | undefined {
  if (value === undefined) return undefined;
  const kinds = { best: 'best-quality', newest: 'newest', oldest: 'oldest' } as const;
  return Object.hasOwn(kinds, value) ? { kind: kinds[value as keyof typeof kinds] } : null;
}

/** Call a handler and print its result (human text, or one JSON document with --json). */
async function callAndPrint<K extends Method>(
  ctx: CommandContext,
  method: K,
  args: unknown,
  format: (result: Result<K>) => string = (result) => formatHuman(method, result),
): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await ctx.dispatcher.call(method, args, {
      signal: controller.signal,
      onProgress: progressReporter(),
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    process.stdout.write(ctx.json ? JSON.stringify(result, null, 2) + '\n' : format(result) + '\n');
    return 0;
  } catch (error) {
    return fail(ctx.json, toApiError(error));
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function fail(json: boolean, error: ApiError): number {
  if (json) process.stdout.write(JSON.stringify({ error }, null, 2) + '\n');
  process.stderr.write(`lookalike: ${error.message}\n`);
  return error.code === 'NOT_IMPLEMENTED' || error.code === 'BAD_REQUEST' ? EXIT_USAGE : EXIT_FAILED;
}

const COMMANDS: Record<string, Command> = {
  info: {
    summary: 'Show the version, database path and model status',
    usage: 'lookalike info [--json]',
    run: (ctx) => callAndPrint(ctx, 'app.info', {}),
  },
  encode: {
    summary: 'Print the hash code of one image, as the scanner computes it',
    usage: 'lookalike encode <image> [--json]',
    run: (ctx) =>
      ctx.positionals.length === 1
        ? callAndPrint(ctx, 'model.encode', { path: path.resolve(ctx.positionals[0]) })
        : Promise.resolve(usage('encode', 'name one image to encode')),
  },
  scan: {
    summary: 'Scan photo folders into the library (incremental)',
    usage: 'lookalike scan <folder...> [--json]',
    run: (ctx) =>
      ctx.positionals.length
        ? // A folder typed relative to the shell's folder means that folder.
          callAndPrint(ctx, 'scan.run', { folders: ctx.positionals.map((f) => path.resolve(f)) })
        : Promise.resolve(usage('scan', 'name at least one folder to scan')),
  },
  dupes: {
    summary: 'List groups of duplicate photos',
    usage:
      'lookalike dupes [--threshold exact|very-close|close|loose|N] [--keep best|newest|oldest] [--rotations on|off]\n' +
      '                [--trash [--dry-run]] [--verbose] [--json]\n' +
      '       lookalike dupes --undo [--json]\n' +
      '  --verbose     also print the technical rule and how far apart the copies of each group are\n' +
      '  --rotations   also match rotated and mirrored copies (default: the library setting, on)\n' +
      '  --trash moves every copy not marked "keep" to the OS trash (never the last copy of a group).\n' +
      '  --undo puts back the files the last --trash (or the app) moved to the trash.',
    options: {
      threshold: { type: 'string' },
      keep: { type: 'string' },
      rotations: { type: 'string' },
      trash: { type: 'boolean', default: false },
      undo: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
    run: async (ctx) => {
      if (ctx.values.undo) {
        if (ctx.values.trash) return usage('dupes', '--undo puts back the last move; it does not go with --trash');
        return callAndPrint(ctx, 'dupes.undoTrash', {});
      }
      const t = ctx.values.threshold;
      const threshold = typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : (t as string | undefined);
      const keep = ctx.values.keep as string | undefined;
      const keepRule = keepFlag(keep);
      if (keepRule === null) return usage('dupes', `--keep takes best, newest or oldest, not "${keep}"`);
      const rotations = ctx.values.rotations;
      if (rotations !== undefined && rotations !== 'on' && rotations !== 'off')
        return usage('dupes', `--rotations takes on or off, not "${String(rotations)}"`);
      const geometric = rotations === undefined ? undefined : rotations === 'on';
      if (!ctx.values.trash)
        return callAndPrint(ctx, 'dupes.find', { threshold, keepRule, geometric }, (result) =>
          formatDuplicates(result as Result<'dupes.find'>, ctx.values.verbose === true),
        );
      const found = await ctx.dispatcher.call('dupes.find', { threshold, keepRule, geometric });
      const photoIds = found.groups.flatMap((g) => g.files.filter((f) => !f.keep).map((f) => f.id));
      if (photoIds.length === 0) {
        process.stdout.write(
          ctx.json
            ? JSON.stringify({ dryRun: ctx.values['dry-run'], trashed: [], keptIds: [] }) + '\n'
            : 'No duplicates to move.\n',
        );
        return 0;
      }
      return callAndPrint(ctx, 'dupes.trash', {
        photoIds,
        threshold,
        geometric,
        dryRun: ctx.values['dry-run'] === true,
      });
    },
  },
  similar: {
    summary: 'Find photos similar to an image (which may be outside the library)',
    usage: 'lookalike similar <image> [--limit N] [--json]',
    options: { limit: { type: 'string' } },
    run: (ctx) => {
      if (ctx.positionals.length !== 1) return Promise.resolve(usage('similar', 'name one image to compare'));
      const limit = ctx.values.limit === undefined ? undefined : Number(ctx.values.limit);
      return callAndPrint(
        ctx,
        'similar.find',
        limit === undefined
          ? { path: path.resolve(ctx.positionals[0]) }
          : { path: path.resolve(ctx.positionals[0]), limit },
      );
    },
  },
  folders: {
    summary: "List the library's folders, or forget one (its photos leave the library; the files stay)",
    usage: 'lookalike folders [--json]\n       lookalike folders forget FOLDER [--json]',
    run: (ctx) => {
      const [sub, ...rest] = ctx.positionals;
      if (sub === undefined) return callAndPrint(ctx, 'library.folders', {});
      if (sub === 'forget' && rest.length === 1)
        return callAndPrint(ctx, 'library.forgetFolder', { path: path.resolve(rest[0]) });
      return Promise.resolve(usage('folders', 'give no arguments, or "forget" and one folder'));
    },
  },
  settings: {
    summary: 'Show or change the library settings',
    usage:
      'lookalike settings [--geometric on|off] [--preset exact|very-close|close|loose] [--keep best|newest|oldest]\n' +
      '                   [--watch on|off] [--json]',
    options: {
      geometric: { type: 'string' },
      preset: { type: 'string' },
      keep: { type: 'string' },
      watch: { type: 'string' },
    },
    run: (ctx) => {
      const g = ctx.values.geometric;
      const preset = ctx.values.preset;
      const watch = ctx.values.watch;
      const keep = ctx.values.keep as string | undefined;
      if (g === undefined && preset === undefined && watch === undefined && keep === undefined)
        return callAndPrint(ctx, 'settings.get', {});
      const keepRule = keepFlag(keep);
      if (keepRule === null)
        return Promise.resolve(usage('settings', `--keep takes best, newest or oldest, not "${keep}"`));
      if (g !== undefined && g !== 'on' && g !== 'off')
        return Promise.resolve(usage('settings', `--geometric takes on or off, not "${String(g)}"`));
      if (watch !== undefined && watch !== 'on' && watch !== 'off')
        return Promise.resolve(usage('settings', `--watch takes on or off, not "${String(watch)}"`));
      const presets = ['exact', 'very-close', 'close', 'loose'] as const;
      if (preset !== undefined && !presets.includes(preset as (typeof presets)[number]))
        return Promise.resolve(usage('settings', `--preset takes ${presets.join(', ')}, not "${String(preset)}"`));
      return callAndPrint(ctx, 'settings.set', {
        ...(g === undefined ? {} : { geometric: g === 'on' }),
        ...(preset === undefined ? {} : { preset: preset as (typeof presets)[number] }),
        ...(watch === undefined ? {} : { watch: watch === 'on' }),
        ...(keepRule === undefined ? {} : { keepRule }),
      });
    },
  },
  album: {
    summary: 'List and organise albums',
    usage:
      'lookalike album list [--json]\n' +
      '       lookalike album show NAME [--json]\n' +
      '       lookalike album create NAME\n' +
      '       lookalike album rename OLD NEW\n' +
      '       lookalike album delete NAME\n' +
      '       lookalike album add NAME FILE...\n' +
      '       lookalike album remove NAME FILE...',
    run: (ctx) => {
      const [sub = 'list', ...rest] = ctx.positionals;
      const wrong = (problem: string) => Promise.resolve(usage('album', problem));
      // Files typed relative to the shell's folder mean those files.
      const files = (list: string[]) => list.map((f) => path.resolve(f));
      switch (sub) {
        case 'list':
          return rest.length ? wrong('"album list" takes no names') : callAndPrint(ctx, 'album.list', {});
        case 'show':
        case 'create':
        case 'delete': {
          if (rest.length !== 1) return wrong(`"album ${sub}" takes one album name (quote a name with spaces)`);
          const method = sub === 'show' ? 'album.show' : sub === 'create' ? 'album.create' : 'album.delete';
          return callAndPrint(ctx, method, { name: rest[0] });
        }
        case 'rename':
          return rest.length === 2
            ? callAndPrint(ctx, 'album.rename', { name: rest[0], to: rest[1] })
            : wrong('"album rename" takes the old name and the new one');
        case 'add':
        case 'remove':
          return rest.length >= 2
            ? callAndPrint(ctx, sub === 'add' ? 'album.add' : 'album.remove', {
                name: rest[0],
                paths: files(rest.slice(1)),
              })
            : wrong(`"album ${sub}" takes an album name and at least one file`);
        default:
          return wrong(`"${sub}" is not an album command: use list, show, create, rename, delete, add or remove`);
      }
    },
  },
  train: {
    summary: 'Retrain the similarity head on your albums, and measure it on photos it did not learn from',
    usage: 'lookalike train [--albums NAME,NAME...] [--epochs N] [--method dph|drlih|dpsh] [--use] [--json]',
    options: {
      albums: { type: 'string' },
      method: { type: 'string', default: 'dph' },
      epochs: { type: 'string' },
      use: { type: 'boolean', default: false },
    },
    run: (ctx) => {
      if (ctx.positionals.length) return Promise.resolve(usage('train', 'takes no file or folder names'));
      const epochs = ctx.values.epochs === undefined ? undefined : Number(ctx.values.epochs);
      if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1 && epochs <= 1000))
        return Promise.resolve(
          usage('train', `--epochs takes a whole number from 1 to 1000, not "${ctx.values.epochs}"`),
        );
      const albums =
        typeof ctx.values.albums === 'string'
          ? ctx.values.albums
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean)
          : undefined;
      if (albums && !albums.length)
        return Promise.resolve(usage('train', '--albums takes album names separated by commas'));
      const method = ctx.values.method;
      if (method !== 'dph' && method !== 'dpsh' && method !== 'drlih')
        return Promise.resolve(usage('train', `--method takes dph, drlih or dpsh, not "${String(method)}"`));
      return callAndPrint(ctx, 'train.run', { albums, epochs, method, use: ctx.values.use === true });
    },
  },
  model: {
    summary: 'See the similarity heads, switch to one, or go back to the shipped one',
    usage:
      'lookalike model list [--json]\n' +
      '       lookalike model use VERSION [--json]\n' +
      '       lookalike model reset [--json]',
    run: (ctx) => {
      const [sub = 'list', ...rest] = ctx.positionals;
      const wrong = (problem: string) => Promise.resolve(usage('model', problem));
      switch (sub) {
        case 'list':
          return rest.length ? wrong('"model list" takes no names') : callAndPrint(ctx, 'model.list', {});
        case 'use':
          return rest.length === 1
            ? callAndPrint(ctx, 'model.use', { version: rest[0] })
            : wrong('"model use" takes one head version (see `lookalike model list`)');
        case 'reset':
          return rest.length ? wrong('"model reset" takes no names') : callAndPrint(ctx, 'model.reset', {});
        default:
          return wrong(`"${sub}" is not a model command: use list, use or reset`);
      }
    },
  },
  serve: {
    summary: 'Browser mode: serve the app and its API on 127.0.0.1 with a per-run token',
    usage: 'lookalike serve [--port N]',
    options: { port: { type: 'string', default: '0' } },
    run: async (ctx) => {
      const port = Number(ctx.values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        return usage('serve', `--port takes a number from 0 to 65535, not "${String(ctx.values.port)}"`);
      const server = await startServer({
        dispatcher: ctx.dispatcher,
        staticDir: rendererDir,
        port,
        thumbnail: (id) => ctx.app.thumbnail(id),
        preview: (id) => ctx.app.preview(id),
      });
      if (ctx.json) process.stdout.write(JSON.stringify({ url: server.url, port: server.port }) + '\n');
      else
        process.stdout.write(`Lookalike is running at ${server.url}\nLibrary: ${ctx.dbPath}\nPress Ctrl+C to stop.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      return 0;
    },
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `Lookalike ${packageVersion}: find duplicate and similar photos, privately.`,
    '',
    'Usage: lookalike <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  --db FILE   the library database (default: $LOOKALIKE_DB, else the user data folder)',
    '  --json      print one JSON document on stdout (progress goes to stderr)',
    '  -h, --help  show help (also: lookalike <command> --help)',
    '',
  ].join('\n');
}

/** Bad usage: one sentence naming the problem, then the command's usage; exit 2. */
function usage(name: string, problem: string): number {
  process.stderr.write(`lookalike ${name}: ${problem}.\nUsage: ${COMMANDS[name].usage}\n`);
  return EXIT_USAGE;
}

/** `lookalike dupes | head` closes the pipe early: that is the reader's choice, not an error to report. */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${packageVersion}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`lookalike: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return usage(name, (error as Error).message.replace(/\.$/, ''));
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  const json = parsed.values.json === true;
  try {
    // `serve` is the app of browser mode: like the desktop app, it makes a move of the library chosen in Settings
    // before it opens it. Other commands may run beside the app, and use the library where it is until then.
    if (name === 'serve' && parsed.values.db === undefined) applyPendingMove(copyLibraryFile);
    const { path: dbPath, source: dbSource } = libraryPath(parsed.values.db as string | undefined);
    // A command's job runs in this process's own thread (nothing else waits on it here, and a second thread
    // costs ~40 MB); `serve` keeps its jobs off the thread that answers the browser.
    const app = createApp({
      dbPath,
      dbSource,
      jobs: name === 'serve' ? 'thread' : 'here',
      // The app of browser mode watches the library's folders when the setting is on; a command does not.
      watch: name === 'serve',
    });
    const values = parsed.values as CommandContext['values'];
    try {
      return await command.run({
        positionals: parsed.positionals,
        values,
        json,
        dispatcher: app.dispatcher,
        app,
        dbPath,
      });
    } finally {
      await app.close();
    }
  } catch (error) {
    return fail(json, toApiError(error));
  }
}
