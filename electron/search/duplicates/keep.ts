/**
 * Which photo of a duplicate group to keep, and the safety rule for trashing the others.
 * Pure functions over plain file facts, so the UI, the CLI and tests share one definition.
 *
 * Best quality keeps the likeliest original, by these criteria in order (BEST_QUALITY):
 * - a camera's raw file (its JPEG or HEIC sibling and every export are made from it);
 * - more picture: content pixels, more than SAME_RESOLUTION times the other's (sizes within it tie, so a strip
 *   of plain sky taken for a border in one copy and not in its noisier re-save does not decide). Content pixels
 *   leave out an evenly added frame or letterbox bars but not a plain area along one side; a copy found to be
 *   enlarged counts the pixels of the copy it was enlarged from (`detailPixels`);
 * - colour over greyscale; more camera metadata (capture date, camera); less added frame;
 * - a JPEG not re-saved at a low quality (LOW_JPEG_QUALITY); the clearly sharper (SHARPER) of two of one size;
 * - the older file; the name the other was made from (`Dune.jpg` before `Dune_q40.jpg`);
 * - in a group of three or more, a copy whose picture is what the group's pictures share, before one that differs
 *   from it (a watermark, a brightened or recoloured copy): copies of a lost original each carry their own edit,
 *   so the least edited is the one most like the rest (`apart`); not an enlarged copy;
 * - the larger file of one format; the earlier capture date; a name that is not a copy's; path.
 * `npm run bench:dedup -- --methods keeper` measures it per edit (tests/bench/dedup/keeper.ts).
 */

import type { DuplicateFile, KeepRuleArg } from '../../api/contract.js';

/** A photo of a group as the keep rules see it: the API's file facts, plus its format when known. */
export type KeepCandidate = Omit<DuplicateFile, 'keep'> & {
  /** Container format or extension (`jpeg`, `heic`, `cr2`, ...); taken from the path when absent. */
  format?: string | null;
  /** Size inside uniform borders (frames, letterbox bars); width × height counts when absent or null. */
  contentWidth?: number | null;
  contentHeight?: number | null;
  /**
   * The picture's pixels as far as its detail goes: set where a larger copy was found to be a smaller copy
   * enlarged (model/image/picture-quality.ts `holdsMoreDetail`), to that copy's; absent: its content pixels.
   */
  detailPixels?: number | null;
  /**
   * Whether the copy was found to be a smaller copy enlarged, even where its size counts its own pixels again
   * because another copy of its size holds more detail than the smaller one (keep-facts.ts). Absent: not found.
   */
  enlarged?: boolean;
  /** Whether the pixels are grey (null or absent: unknown). */
  grey?: boolean | null;
  /** Estimated JPEG quality, 1..100 (model/image/picture-quality.ts); null for other formats or unknown. */
  jpegQuality?: number | null;
  /**
   * Sharpness (model/image/picture-quality.ts `sharpnessOf`), measured only on copies of one size: the blurred or
   * resampled copy is less sharp. Null or absent: not measured.
   */
  sharpness?: number | null;
  /** Camera make and model from EXIF; null or absent: none recorded. */
  camera?: string | null;
  /** The file's modification time (ms since the epoch); null or absent: unknown. */
  mtimeMs?: number | null;
  /**
   * The picture, small (keep-facts.ts `SAMPLE_SIDE`), for comparing the copies of one group; null or absent: unread.
   */
  sample?: Uint8Array | null;
  /**
   * Whether the picture differs from what the pictures of its group share where others do not (keep-facts.ts
   * `markApart`): an edited copy among faithful ones. Null or absent: not measured (groups of two, unread files).
   */
  apart?: boolean | null;
};

/** Content pixel counts within this ratio count as the same resolution. */
export const SAME_RESOLUTION = 1.1;
/** Picture shares (content over all pixels) closer than this tie: a strip of sky taken for a border. */
const BORDER_SLACK = 0.05;
/** JPEG qualities closer than this count as equal (the estimate is ±1–2; a degrading re-save differs by more). */
const SAME_JPEG_QUALITY = 15;
/**
 * A JPEG saved below this quality is visibly re-compressed (cameras and editors save from about 85 up, web
 * images from about 75): only then does the quality tell a copy from its source.
 */
const LOW_JPEG_QUALITY = 70;
/**
 * One copy is sharper than another from this ratio of their sharpness: a blurred copy is 3–100 times less
 * sharp, while recolouring or a brightness or contrast change moves it by up to 2.4 times (dedup set, seed 1).
 */
const SHARPER = 3;
/** Modification times closer than this count as equal (copies made in one go, file systems' rounding). */
const SAME_AGE_MS = 2000;

/** The rule choosing the copy to keep; the API's type, so the UI, the CLI and this module share one definition. */
export type KeepRule = KeepRuleArg;

export const DEFAULT_KEEP_RULE: KeepRule = { kind: 'best-quality' };

const FORMAT_FAMILIES: Record<string, string[]> = {
  raw: [
    'raw',
    'cr2',
    'cr3',
    'crw',
    'nef',
    'nrw',
    'arw',
    'srf',
    'sr2',
    'dng',
    'raf',
    'orf',
    'rw2',
    'pef',
    'srw',
    'x3f',
    '3fr',
    'iiq',
    'rwl',
    'erf',
    'kdc',
    'mrw',
  ],
  heic: ['heic', 'heif', 'hif'],
  jpeg: ['jpeg', 'jpg', 'jpe', 'jfif'],
  tiff: ['tiff', 'tif'],
  png: ['png'],
  webp: ['webp'],
  avif: ['avif'],
  gif: ['gif'],
  bmp: ['bmp'],
};
const FAMILY_OF = new Map(Object.entries(FORMAT_FAMILIES).flatMap(([family, names]) => names.map((n) => [n, family])));

/** The format family of a format name or extension (`JPG` -> `jpeg`, `NEF` -> `raw`); unknown names pass through. */
export function formatFamily(format: string): string {
  const name = format.toLowerCase().replace(/^\./, '');
  return FAMILY_OF.get(name) ?? name;
}

/** A file's format family: its recorded format, else its extension's. */
export function familyOf(file: Pick<KeepCandidate, 'path' | 'format'>): string {
  const fromPath = /\.([^./\\]+)$/.exec(file.path)?.[1] ?? '';
  return formatFamily(file.format || fromPath);
}

/** Milliseconds since the epoch, or null for a missing or unparsable date. */
function captureTime(file: KeepCandidate): number | null {
  if (!file.takenAt) return null;
  const t = Date.parse(file.takenAt);
  return Number.isNaN(t) ? null : t;
}

/** Known dates first, ordered by `direction` (1 oldest first, -1 newest first). */
function byCaptureTime(a: KeepCandidate, b: KeepCandidate, direction: 1 | -1): number {
  const ta = captureTime(a);
  const tb = captureTime(b);
  if (ta === null || tb === null) return ta === tb ? 0 : ta === null ? 1 : -1;
  return (ta - tb) * direction;
}

function byPath(a: KeepCandidate, b: KeepCandidate): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.id - b.id;
}

/**
 * File names that say "I am a copy": `photo copy.jpg`, `photo copy 2.jpg`, `photo (2).jpg`, `Copy of photo.jpg`
 * (what file managers and browsers name duplicates). Numbered names like `IMG-1` are left alone: cameras use them.
 */
const COPY_NAME = /(^copy of )|([ _-]copy( \d+)?$)|( \(\d+\)$)/i;

function looksLikeCopy(file: KeepCandidate): number {
  const base = (/[^/\\]+$/.exec(file.path)?.[0] ?? file.path).replace(/\.[^.]+$/, '');
  return COPY_NAME.test(base) ? 1 : 0;
}

/** A file's name without folder and extension, lower case. */
function stem(file: KeepCandidate): string {
  return (/[^/\\]+$/.exec(file.path)?.[0] ?? file.path).replace(/\.[^.]+$/, '').toLowerCase();
}

/**
 * A name made from the other's by adding to it (`Dune.jpg` → `Dune_q40.jpg`, `IMG_1234-edited.jpg`,
 * `photo (2).png`) comes after it: editors and file managers name copies that way.
 */
function byDerivedName(a: KeepCandidate, b: KeepCandidate): number {
  const [sa, sb] = [stem(a), stem(b)];
  if (sa === sb) return 0;
  return sb.startsWith(sa) ? -1 : sa.startsWith(sb) ? 1 : 0;
}

/** Among otherwise equal files, the one whose name does not look like a copy, then path order. */
function byName(a: KeepCandidate, b: KeepCandidate): number {
  return looksLikeCopy(a) - looksLikeCopy(b) || byPath(a, b);
}

/**
 * Resolution as the picture's own pixels: an added uniform border (a white frame, letterbox bars) makes a copy
 * larger without adding any picture, so it must not outrank the original. Photos analysed before content sizes
 * were measured count their full size.
 */
export function contentPixels(file: KeepCandidate): number {
  if (file.contentWidth == null || file.contentHeight == null) return file.width * file.height;
  return file.contentWidth * file.contentHeight;
}

/**
 * A camera's raw file before any other format: it is the original of the JPEG or HEIC the camera saved beside it
 * (RAW + JPEG) and of every export, whatever the size of the preview it carries (what the scan decodes of it, and
 * what its size says: often far smaller than the sensor's, so the JPEG would look like more picture).
 */
function byRaw(a: KeepCandidate, b: KeepCandidate): number {
  return Number(familyOf(b) === 'raw') - Number(familyOf(a) === 'raw');
}

/** Clearly more picture first; sizes within SAME_RESOLUTION tie. */
function byResolution(a: KeepCandidate, b: KeepCandidate): number {
  const [pa, pb] = [a.detailPixels ?? contentPixels(a), b.detailPixels ?? contentPixels(b)];
  return Math.max(pa, pb) <= SAME_RESOLUTION * Math.min(pa, pb) ? 0 : pb - pa;
}

/**
 * A copy found to be enlarged (`enlarged`) after one that was not, where nothing earlier tells them apart:
 * it is likelier made from it than the other way (a soft original can look enlarged against its smaller copy,
 * so this comes late).
 */
function byNotEnlarged(a: KeepCandidate, b: KeepCandidate): number {
  return Number(!!a.enlarged) - Number(!!b.enlarged);
}

/** Colour before grey (a greyscale copy of a colour photo); unknown ties. */
function byColour(a: KeepCandidate, b: KeepCandidate): number {
  return a.grey == null || b.grey == null ? 0 : Number(a.grey) - Number(b.grey);
}

/** Share of the file that is picture (not uniform border). */
function pictureShare(file: KeepCandidate): number {
  return contentPixels(file) / Math.max(1, file.width * file.height);
}

/** Less added frame first (a frame or letterbox is an edit); shares within BORDER_SLACK tie. */
function byLessBorder(a: KeepCandidate, b: KeepCandidate): number {
  const [sa, sb] = [pictureShare(a), pictureShare(b)];
  return Math.abs(sa - sb) <= BORDER_SLACK ? 0 : sb - sa;
}

/** How much camera metadata a file kept: a capture date, a camera (exports and re-saves often drop EXIF). */
function cameraMetadata(file: KeepCandidate): number {
  return Number(captureTime(file) !== null) + Number(!!file.camera);
}

/** More camera metadata first; equal amounts tie. */
function byCameraMetadata(a: KeepCandidate, b: KeepCandidate): number {
  return cameraMetadata(b) - cameraMetadata(a);
}

/**
 * Two JPEGs, one re-compressed at a low quality: the higher quality first. Only a low quality tells: a copy
 * re-saved at 92 from a camera's 85 is no better than its source, so qualities from LOW_JPEG_QUALITY up tie.
 */
function byJpegQuality(a: KeepCandidate, b: KeepCandidate): number {
  if (a.jpegQuality == null || b.jpegQuality == null) return 0;
  const [low, high] = [Math.min(a.jpegQuality, b.jpegQuality), Math.max(a.jpegQuality, b.jpegQuality)];
  return low >= LOW_JPEG_QUALITY || high - low < SAME_JPEG_QUALITY ? 0 : b.jpegQuality - a.jpegQuality;
}

/** The clearly sharper of two copies of one size (SHARPER times or more); both must be measured. */
function bySharpness(a: KeepCandidate, b: KeepCandidate): number {
  if (!a.sharpness || !b.sharpness) return 0;
  const ratio = a.sharpness / b.sharpness;
  return ratio >= SHARPER ? -1 : ratio <= 1 / SHARPER ? 1 : 0;
}

/** The older file first: a copy is made after its original. */
function byAge(a: KeepCandidate, b: KeepCandidate): number {
  if (a.mtimeMs == null || b.mtimeMs == null || Math.abs(a.mtimeMs - b.mtimeMs) < SAME_AGE_MS) return 0;
  return a.mtimeMs - b.mtimeMs;
}

/** A copy like the rest of its group before one that differs from them (an edit of its own); unknown ties. */
function byConsensus(a: KeepCandidate, b: KeepCandidate): number {
  return a.apart == null || b.apart == null ? 0 : Number(a.apart) - Number(b.apart);
}

/** The larger file, only within one format (a PNG made from a JPEG is larger and no better). */
function byBytesOfOneFormat(a: KeepCandidate, b: KeepCandidate): number {
  return familyOf(a) === familyOf(b) ? b.bytes - a.bytes : 0;
}

/** The name of the sharpness criterion (`tiedBefore`). */
export const SHARPNESS_CRITERION = 'sharper';

/** The best-quality criteria in order, each named for what it tells (`bestQualityReason`). */
const BEST_QUALITY: readonly [string, (a: KeepCandidate, b: KeepCandidate) => number][] = [
  ['camera raw', byRaw],
  ['more picture', byResolution],
  ['colour', byColour],
  ['camera metadata', byCameraMetadata],
  ['no added frame', byLessBorder],
  ['higher JPEG quality', byJpegQuality],
  [SHARPNESS_CRITERION, bySharpness],
  ['older file', byAge],
  ['original name', byDerivedName],
  ['most like the other copies', byConsensus],
  ['not an enlarged copy', byNotEnlarged],
  ['larger file', byBytesOfOneFormat],
  ['earlier capture date', (a, b) => byCaptureTime(a, b, 1)],
  ['name and path', byName],
];

/** Whether every best-quality criterion before the one named `criterion` leaves `a` and `b` tied. */
export function tiedBefore(a: KeepCandidate, b: KeepCandidate, criterion: string): boolean {
  for (const [name, order] of BEST_QUALITY) {
    if (name === criterion) return true;
    if (order(a, b) !== 0) return false;
  }
  return true;
}

/** The best-quality criterion that puts `keeper` before `other`, in words (for "why this copy"). */
export function bestQualityReason(keeper: KeepCandidate, other: KeepCandidate): string {
  return BEST_QUALITY.find(([, criterion]) => criterion(keeper, other) !== 0)?.[0] ?? 'name and path';
}

function normaliseFolder(folder: string): string {
  const f = folder.replace(/\\/g, '/');
  return f.endsWith('/') ? f : f + '/';
}

/** The criteria of a rule in order: the rule's own first (if any), then every best-quality criterion. */
function keepCriteria(rule: KeepRule): readonly ((a: KeepCandidate, b: KeepCandidate) => number)[] {
  const quality = BEST_QUALITY.map(([, criterion]) => criterion);
  switch (rule.kind) {
    case 'best-quality':
      return quality;
    case 'newest':
      return [(a, b) => byCaptureTime(a, b, -1), ...quality];
    case 'oldest':
      return [(a, b) => byCaptureTime(a, b, 1), ...quality];
    case 'preferred-folder': {
      const folder = normaliseFolder(rule.folder);
      const inside = (f: KeepCandidate) => (f.path.replace(/\\/g, '/').startsWith(folder) ? 0 : 1);
      return [(a, b) => inside(a) - inside(b), ...quality];
    }
    case 'format-preference': {
      const ranks = rule.formats.map(formatFamily);
      const rank = (f: KeepCandidate) => {
        const r = ranks.indexOf(familyOf(f));
        return r < 0 ? ranks.length : r;
      };
      return [(a, b) => rank(a) - rank(b), ...quality];
    }
  }
}

/**
 * The rule's criteria as one comparison of two files: negative when `a` should be kept rather than `b` (the
 * first criterion that tells them apart decides). Criteria with a tolerance make it intransitive over three
 * files or more, so a group's keeper is chosen by `chooseKeeper`, not by sorting with it.
 */
export function keepOrder(rule: KeepRule = DEFAULT_KEEP_RULE): (a: KeepCandidate, b: KeepCandidate) => number {
  const criteria = keepCriteria(rule);
  return (a, b) => {
    for (const criterion of criteria) {
      const order = criterion(a, b);
      if (order) return order;
    }
    return 0;
  };
}

/**
 * The photo to keep in a group (which must not be empty): criterion by criterion, the copies another copy still
 * in the running beats are set aside (the clearly larger pictures, then among those the colour ones, and so on),
 * until one is left; the last criterion (name and path) tells any two apart. Each criterion alone is a strict
 * order without cycles (a tolerance only makes it partial), so some copy always remains, and the choice does not
 * depend on the order the group lists its files in. A copy the comparison puts before every other is always the
 * one kept. (Comparing two at a time through the group, as before, could cycle: sizes within 10 % tie, so
 * 300,000 px JPEGs of 1 and 2 bytes and a 307,200 px HEIC each lost to another, and the keeper depended on the
 * order.)
 */
export function chooseKeeper<T extends KeepCandidate>(files: readonly T[], rule: KeepRule = DEFAULT_KEEP_RULE): T {
  if (files.length === 0) throw new RangeError('A group has at least one photo');
  let running = [...files];
  for (const criterion of keepCriteria(rule)) {
    if (running.length === 1) break;
    running = running.filter((f) => !running.some((g) => g !== f && criterion(g, f) < 0));
  }
  return running.sort(byPath)[0];
}

/** The group's files with `keep` set on exactly one of them. */
export function proposeKeep<T extends KeepCandidate>(files: readonly T[], rule: KeepRule = DEFAULT_KEEP_RULE) {
  const keeper = chooseKeeper(files, rule);
  return files.map((f) => ({ ...f, keep: f === keeper }));
}

export interface TrashSelectionCheck {
  ok: boolean;
  /** Groups every member of which is selected: the selection would remove the photo entirely. */
  violations: { groupIndex: number; ids: number[] }[];
}

/**
 * The safety invariant: a selection of photos to trash is refused if it contains every member of
 * some group. Callers check before touching any file, and trash nothing when `ok` is false.
 */
export function checkTrashSelection(
  groups: readonly { ids: readonly number[] }[],
  selectedIds: Iterable<number>,
): TrashSelectionCheck {
  const selected = new Set(selectedIds);
  const violations: TrashSelectionCheck['violations'] = [];
  groups.forEach((group, groupIndex) => {
    if (group.ids.length > 0 && group.ids.every((id) => selected.has(id))) {
      violations.push({ groupIndex, ids: [...group.ids] });
    }
  });
  return { ok: violations.length === 0, violations };
}

/** The ids proposed for the trash: every member but the keeper, in each group. */
export function defaultTrashSelection<T extends KeepCandidate>(
  groups: readonly (readonly T[])[],
  rule: KeepRule = DEFAULT_KEEP_RULE,
): number[] {
  return groups.flatMap((files) => {
    const keeper = chooseKeeper(files, rule);
    return files.filter((f) => f !== keeper && f.id !== keeper.id).map((f) => f.id);
  });
}
