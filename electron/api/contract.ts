/**
 * The one typed API contract between the renderer (or the CLI, or a test) and the main process.
 *
 * Types only: the renderer may import this file and nothing else from `electron/`.
 * Every handler is `name -> { args, result }`; progress and other pushed data travel as `Events`.
 */

/** The closed set of error codes that may cross the boundary (listed at runtime in `errors.ts`). */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNKNOWN_METHOD'
  | 'NOT_FOUND'
  | 'NOT_IMPLEMENTED'
  | 'CANCELLED'
  | 'IO_ERROR'
  | 'DECODE_ERROR'
  | 'DB_ERROR'
  | 'MODEL_ERROR'
  | 'FORBIDDEN'
  | 'INTERNAL';

/** An error as data: what a handler failure looks like on the wire. */
export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type { EncodedCode, HeadStatus, ModelStatus, ProviderName } from '../../model/types.js';
import type { EncodedCode, ModelStatus, ProviderName } from '../../model/types.js';

export interface AppInfo {
  name: string;
  version: string;
  dbPath: string;
  /**
   * What chose the library: `--db` (`flag`), `LOOKALIKE_DB` (`env`), Settings (`chosen`), or the default place in
   * the user data folder.
   */
  dbSource: 'flag' | 'env' | 'chosen' | 'default';
  /** A move chosen in Settings that waits for the next start, or why the last one could not be made. */
  libraryNote: string | null;
  /** The execution provider chosen in Settings (this machine's); it applies from the start after it was chosen. */
  providerChoice: 'auto' | ProviderName;
  platform: string;
  node: string;
  model: ModelStatus;
}

/** Progress of long work, one variant per phase. */
export type Progress =
  | { phase: 'scan'; done: number; total: number; path: string }
  | { phase: 'encode'; done: number; total: number; path: string }
  | { phase: 'rehash'; done: number; total: number }
  | { phase: 'group'; done: number; total: number }
  | { phase: 'verify'; done: number; total: number }
  /** Waiting for another Lookalike's library job (a scan in another window or the command line). */
  | { phase: 'wait'; done: number; total: number; message: string }
  | { phase: 'train'; epoch: number; step: number; reward: number; mapValidation: number | null };

/** Data the server pushes without being asked (beyond the reply to a request). */
export type Events =
  | { type: 'progress'; requestId: number; progress: Progress }
  | { type: 'library.changed'; reason: 'scan' | 'trash' | 'album' | 'model' | 'apart' }
  /** Watch folders (electron/core/watch.ts): changed folders were scanned again, or could not be. */
  | { type: 'watch.scanned'; folders: string[]; added: number; updated: number; removed: number; failed: number }
  | { type: 'watch.failed'; folders: string[]; message: string }
  /** A library folder cannot be watched (not there now, or the system's limit of watched folders reached). */
  | { type: 'watch.unwatchable'; folder: string; message: string };

export interface Handlers {
  'app.info': { args: Record<string, never>; result: AppInfo };
  /** Echoes back after `delayMs`, reporting progress every `stepMs`: a diagnostic that exercises cancellation. */
  'app.ping': {
    args: { message: string; delayMs?: number; steps?: number };
    result: { message: string; receivedAt: string };
  };
  /** Desktop app only: the OS folder picker. Browser mode answers NOT_IMPLEMENTED (type a path instead). */
  'app.pickFolder': { args: Record<string, never>; result: { path: string | null } };
  /**
   * Where the library is from the next start: `move` it into `folder` (the desktop app, or `lookalike serve`,
   * copies it there when it next starts, before opening it; the old file is kept), or use the library already in
   * `folder`. The file is `library.db` in the folder. `note`: what happens next, in a sentence.
   */
  'app.chooseLibraryLocation': { args: { folder: string; move: boolean }; result: { path: string; note: string } };
  /** Which execution provider runs the model from the next start (this machine's choice, kept outside the library). */
  'app.setProvider': {
    args: { provider: 'auto' | ProviderName };
    result: { provider: 'auto' | ProviderName; note: string };
  };
  /** Desktop app: starts again (to open the library where Settings moved it). */
  'app.restart': { args: Record<string, never>; result: Record<string, never> };
  /**
   * Desktop app only: opens a library photo in the OS's viewer, or with `reveal` shows it in its folder (Finder,
   * Explorer, the file manager). By id, never by path. Browser mode answers NOT_IMPLEMENTED.
   */
  'app.showPhoto': { args: { id: number; reveal?: boolean }; result: { path: string } };
  /** The code of one image (which may be outside the library), as the scanner would compute it. */
  'model.encode': {
    args: { path: string };
    result: {
      path: string;
      /** One backbone run, both heads: the duplicate code and the similarity code. */
      codes: { dup: EncodedCode; sim: EncodedCode };
      provider: ProviderName;
      descriptorDim: number;
    };
  };
  'scan.run': {
    args: { folders: string[] };
    result: ScanSummary;
  };
  /** Duplicate groups by the duplicate code (plus exact copies by content hash), each with a proposed keeper. */
  'dupes.find': {
    args: { threshold?: string | number; keepRule?: KeepRuleArg; geometric?: boolean };
    result: { threshold: DuplicateThreshold; groups: DuplicateGroup[]; stats: DuplicateSearchStats };
  };
  /**
   * Move photos to the OS trash. Refused as a whole if any photo is not in a duplicate group at this threshold,
   * or if the selection would remove every copy of a group. Album memberships move to the group's kept photo.
   */
  'dupes.trash': {
    args: { photoIds: number[]; threshold?: string | number; geometric?: boolean; dryRun?: boolean };
    result: { dryRun: boolean; trashed: string[]; keptIds: number[] };
  };
  /**
   * The paths the last trash action moved to the OS trash that are still there, and whether `dupes.undoTrash` can
   * put them back (not for a move made by a version without undo).
   */
  'dupes.lastTrashed': {
    args: Record<string, never>;
    result: { at: string | null; paths: string[]; undoable: boolean };
  };
  /**
   * Undo of the last trash action: every file still in the OS trash is put back where it was (only that very file,
   * never over another) and listed again with its codes and albums. Files it cannot put back are named with why.
   */
  'dupes.undoTrash': {
    args: Record<string, never>;
    result: { restored: string[]; notRestored: { path: string; reason: string }[] };
  };
  /**
   * "Not duplicates": these photos (a group, or some of it) are not copies of one another, and no search groups any
   * two of them again. With `apart: false`, takes that back (an undo). `total`: pairs marked in the library now.
   */
  'dupes.markApart': {
    args: { photoIds: number[]; apart?: boolean };
    result: { changed: number; total: number };
  };
  /** How many pairs of photos are marked as not duplicates. */
  'dupes.markedApart': { args: Record<string, never>; result: { total: number } };
  /** Forgets every "not duplicates" mark: their groups are found again. */
  'dupes.forgetApart': { args: Record<string, never>; result: { forgotten: number } };
  /**
   * Photos like an image: for a library photo, its copies first (as `dupes` finds them at the close preset:
   * resized, re-saved, recoloured, cropped, turned), marked `copy`, then the photos nearest by the similarity code.
   * `distance`: bits between the similarity codes (0 the most alike).
   */
  'similar.find': {
    args: { path: string; limit?: number };
    /** The query (its library id, or null for an image outside the library) and its nearest photos. */
    result: { query: { id: number | null; path: string }; results: SimilarPhoto[] };
  };
  /**
   * Photos like an image given by its bytes (dropped on the window or picked in browser mode, where a page sees no
   * paths): `data` is the image file, base64 (the renderer sends a JPEG of at most 1024 px), `name` what to call it.
   */
  'similar.findImage': {
    args: { name: string; data: string; limit?: number };
    result: { query: { id: null; path: string }; results: SimilarPhoto[] };
  };
  /** A page of the library's photos (ready ones) in an order, and how many there are (the library grid). */
  'library.photos': {
    args: { offset: number; limit: number; sort?: 'name' | 'date' | 'size' | 'folder' };
    result: { total: number; photos: LibraryPhoto[] };
  };
  /**
   * Files of the library that could not be read at their last scan, with the reason in a sentence (the errors
   * panel); each stays listed until it is readable again or gone.
   */
  'library.failed': {
    args: { offset: number; limit: number };
    result: { total: number; files: { id: number; path: string; reason: string }[] };
  };
  /** The library's folders (each one a scan was given), with how many photos lie under each. */
  'library.folders': { args: Record<string, never>; result: { folders: LibraryFolder[] } };
  /**
   * Forgets a library folder: its photos leave the library (codes, thumbnails, album memberships); the files are not
   * touched, and scanning the folder again brings them back.
   */
  'library.forgetFolder': { args: { path: string }; result: { path: string; photos: number } };
  /**
   * Folders whose full path starts as `prefix` does (the folder typed so far, then the start of a subfolder's
   * name; hidden folders left out), for completing a folder typed in browser mode.
   */
  'library.completeFolder': { args: { prefix: string }; result: { folders: string[] } };
  'settings.get': { args: Record<string, never>; result: LibrarySettings };
  'settings.set': { args: Partial<LibrarySettings>; result: LibrarySettings };
  /** Albums by name, each with its number of photos (files gone from disk are not counted). */
  'album.list': { args: Record<string, never>; result: { albums: AlbumSummary[] } };
  'album.create': { args: { name: string }; result: { album: AlbumSummary } };
  'album.rename': { args: { name: string; to: string }; result: { album: AlbumSummary } };
  /** Deletes the album; its photos stay in the library. */
  'album.delete': { args: { name: string }; result: { deleted: AlbumSummary } };
  /** Adds library photos (full paths); `added` counts those that were not members yet. */
  'album.add': { args: { name: string; paths: string[] }; result: { album: AlbumSummary; added: number } };
  /** Takes photos (full paths) out of the album; each must be a member. */
  'album.remove': { args: { name: string; paths: string[] }; result: { album: AlbumSummary; removed: number } };
  /** The album and its photos, by path. */
  'album.show': { args: { name: string }; result: { album: AlbumSummary; photos: { id: number; path: string }[] } };
  /**
   * Retrains the similarity head on the albums (all, or those named; at least 2, each of at least 10 photos with a
   * stored descriptor): the new head is kept, and measured against the head in use on a held-out part of each
   * album. It is used (every similarity code re-made, in one switch) only with `use` and if it ranks those photos
   * better than the head in use, or later by `model.use`.
   */
  'train.run': {
    args: { albums?: string[]; epochs?: number; use?: boolean; method?: 'dph' | 'dpsh' | 'drlih' };
    result: TrainResult;
  };
  /** The similarity heads the library can use: the shipped one and those it was retrained to. */
  'model.list': { args: Record<string, never>; result: { heads: SimilarityHeadSummary[] } };
  /** Switches to a kept similarity head: every similarity code re-made from its descriptor, then switched at once. */
  'model.use': { args: { version: string }; result: HeadSwitch };
  /** Switches back to the shipped similarity head, as `model.use` does. */
  'model.reset': { args: Record<string, never>; result: HeadSwitch };
}

/** What a retrain made: MAP@all of the albums' held-out photos with the head in use and the new one, and per album. */
export interface TrainResult {
  before: { map: number };
  after: { map: number };
  /** Photos learnt from and measured on, and albums. */
  photos: number;
  albums: number;
  perAlbum: { name: string; photos: number; heldOut: number; before: number; after: number }[];
  seconds: number;
  /** The new head's version (what `model.use` takes). */
  model: string;
  /** The similarity head in use after the call (the new one with `use`). */
  inUse: string;
}

/** A similarity head of the library: the shipped one, or one it was retrained to (with what it did). */
export interface SimilarityHeadSummary {
  version: string;
  shipped: boolean;
  inUse: boolean;
  createdAt: string | null;
  photos: number | null;
  albums: number | null;
  before: number | null;
  after: number | null;
}

/** A switch of similarity head: the head now in use, and how many codes were re-made. */
export interface HeadSwitch {
  version: string;
  rehashed: number;
}

/**
 * A library folder: the photos under it (scanned or waiting for their scan), and the files there that looked like
 * photos but could not be read (`library.failed` says why), which are no photos of the library.
 */
export interface LibraryFolder {
  path: string;
  photos: number;
  unreadable: number;
}

/** A photo as the library grid and its detail panel show it. */
export interface LibraryPhoto {
  id: number;
  path: string;
  width: number | null;
  height: number | null;
  bytes: number;
  /** Capture date (EXIF) as ISO 8601, or null. */
  takenAt: string | null;
  camera: string | null;
  format: string | null;
  /** Names of the albums it is in. */
  albums: string[];
}

/** Per-library preferences, stored in the library database. */
export interface LibrarySettings {
  /**
   * Geometric matching: photos are also encoded rotated (90/180/270°) and mirrored, so turned or flipped
   * copies are found as duplicates. Costs six extra backbone runs per photo at scan time (a turn and its inverse are matched from either side).
   */
  geometric: boolean;
  /** The match preset a duplicate search uses when none is given (the app's starting choice, the CLI's default). */
  preset: DuplicatePreset;
  /** The copy of each group proposed to keep, when a search asks for no rule (the Duplicates view starts with it). */
  keepRule: KeepRuleArg;
  /**
   * Watch folders: while the desktop app or `lookalike serve` runs, a library folder where photos are added,
   * changed or removed is scanned again (electron/core/watch.ts).
   */
  watch: boolean;
}

export type DuplicatePreset = 'exact' | 'very-close' | 'close' | 'loose';

/** An album: its name is unique in the library. */
export interface AlbumSummary {
  id: number;
  name: string;
  /** Photos in it whose files are in the library. */
  count: number;
}

export interface ScanSummary {
  /** New photos analysed and added to the library (files that could not be read are in `failed` only). */
  added: number;
  /** Photos whose file changed, analysed again. */
  updated: number;
  /** Photos an interrupted scan had found but not analysed, analysed now. */
  resumed: number;
  unchanged: number;
  /** Unchanged files decoded again because their duplicate code came from another model. */
  reencoded: number;
  /** Similarity codes re-made from stored descriptors (a new similarity head), without decoding. */
  rehashed: number;
  moved: number;
  removed: number;
  /**
   * Files (and folders) that could not be read: this scan's failures, and unchanged files that failed before
   * and still do (listed every time until they are fixed or removed).
   */
  failed: { path: string; error: string }[];
  /** Scanned folders in which no photos were found. */
  empty: string[];
  seconds: number;
}

/** A photo found by `similar.find`. */
export interface SimilarPhoto {
  id: number;
  path: string;
  distance: number;
  /** A copy of the query (the same photo, edited), ranked before the photos that only look like it. */
  copy: boolean;
}

/** The match rule a duplicate search used. */
export interface DuplicateThreshold {
  /** The preset (`exact`, `very-close`, `close`, `loose`) or `custom`. */
  name: string;
  /** Hamming radius of the duplicate codes; null for `exact` (identical files only). */
  radius: number | null;
  /**
   * Minimum cosine of the two photos' duplicate embeddings that a pair within the radius must also reach
   * (verification); null when the radius alone decides (custom thresholds, uncalibrated heads).
   */
  minCosine: number | null;
  /**
   * The pixel check a pair must also pass: aligned, the two thumbnails overlap on at least `minCoverage` of each
   * picture and correlate at least `minCorrelation` there, and below `sureCorrelation` their parts stray at most
   * `maxLocalShift` pixels (at long side 64) from the alignment; null when there is none.
   */
  pixels: { minCoverage: number; minCorrelation: number; sureCorrelation: number; maxLocalShift: number } | null;
}

/** What a duplicate search did, stage by stage (the funnel from candidate pairs to verified ones), and its times. */
export interface DuplicateSearchStats {
  /** Photos with a duplicate code. */
  photos: number;
  /** Distinct pairs whose codes (or a variant's) lie within the radius. */
  candidatePairs: number;
  /** Of those, the pairs whose embeddings also pass the cosine (all of them when the rule has none). */
  afterCosine: number;
  /** Pairs to compare whose comparison the library kept from an earlier search (or the part of it interrupted). */
  keptVerdicts: number;
  /** Pairs whose thumbnails were compared now. */
  pixelChecked: number;
  /**
   * Of those, the pairs that needed the full alignment search over scales and offsets; the others were settled
   * by their first placement, one picture laid over the other (electron/search/pixels/alignment.ts).
   */
  pixelSearched: number;
  /**
   * Pairs judged by the verdict of interchangeable copies of their photos (electron/search/pixels/pixel-check.ts), in
   * this search as in any earlier one: kept, compared, inferred and skipped add up to the pairs the check was given.
   */
  inferredVerdicts: number;
  /**
   * Turned or mirrored pairs not compared: their turn does not bring the two photos nearest, or the two are one
   * picture upright already (electron/search/pixels/pairs.ts's `turnedWhereNearest`, pixel-check.ts).
   */
  turnedSkipped: number;
  /** Seconds spent finding candidates, comparing pixels, and grouping. */
  seconds: { candidates: number; pixels: number; grouping: number };
}

export interface DuplicateGroup {
  kind: 'exact' | 'near';
  maxDistance: number;
  files: DuplicateFile[];
}

export interface DuplicateFile {
  id: number;
  path: string;
  width: number;
  height: number;
  bytes: number;
  /** Capture date (EXIF) as ISO 8601, or null when unknown. */
  takenAt: string | null;
  /** The copy proposed to keep (exactly one per group). */
  keep: boolean;
}

/** Which copy of a group to propose keeping (default: best quality). */
export type KeepRuleArg =
  /**
   * The likeliest original (electron/search/duplicates/keep.ts): a camera's raw file, then the most real detail (sizes within 10 % tie, an even frame
   * does not count, an enlarged copy counts as its source), then colour, camera metadata, no added frame, no
   * low-quality JPEG re-save, sharpness, the older file, the name others were made from, a copy like the other
   * copies of its group over one with an edit of its own.
   */
  | { kind: 'best-quality' }
  | { kind: 'newest' }
  | { kind: 'oldest' }
  | { kind: 'preferred-folder'; folder: string }
  /** Earlier entries win; entries are families (`raw`, `heic`, `jpeg`, ...) or extensions. */
  | { kind: 'format-preference'; formats: readonly string[] };

export type Method = keyof Handlers;
export type Args<K extends Method> = Handlers[K]['args'];
export type Result<K extends Method> = Handlers[K]['result'];

/** Wire protocol, client -> server. */
export type ClientMessage = { t: 'req'; id: number; method: string; args: unknown } | { t: 'cancel'; id: number };

/** Wire protocol, server -> client. */
export type ServerMessage =
  | { t: 'res'; id: number; ok: true; result: unknown }
  | { t: 'res'; id: number; ok: false; error: ApiError }
  | { t: 'event'; event: Events };

/** The bridge the preload script exposes as `window.lookalike` (Electron only). */
export interface LookalikeBridge {
  send(message: ClientMessage): void;
  on(listener: (message: ServerMessage) => void): () => void;
}
