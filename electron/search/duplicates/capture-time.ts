/**
 * Copies of one photo carry its capture time (EXIF `DateTimeOriginal`, kept by editors, converters and exports
 * that keep EXIF at all; a copy that lost its EXIF has none), while two shots of one view — a burst, the next
 * frame, the same scene a minute later — carry two. Pixels cannot always tell those apart: nothing in a burst
 * may have moved. So two photos whose capture times are both known and differ are two shots, never copies.
 *
 * A time is stored as the instant the scanner's time zone made of the camera's local time
 * (electron/library/analyzer.ts): the same copy scanned in another time zone differs by a whole number of quarter
 * hours, up to 26 hours (UTC−12 to UTC+14), which is not taken for two shots.
 */

/** Time zones differ by whole quarter hours, by 26 hours at most (UTC−12 to UTC+14). */
const ZONE_STEP_MS = 15 * 60_000;
const MAX_ZONE_SHIFT_MS = 26 * 3_600_000;

/**
 * Whether capture times `a` and `b` (ms since the epoch; undefined: unknown) are of two shots. Where both carry a
 * fraction of a second (EXIF `SubSecTimeOriginal`: phones and cameras write it, so the shots of a burst within one
 * second differ by it) they are compared to the millisecond; where either has none (a copy whose editor kept the
 * date and dropped the fraction, or a camera that writes none), to the second.
 */
export function twoShots(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const fraction = (t: number) => ((t % 1000) + 1000) % 1000;
  const exact = fraction(a) !== 0 && fraction(b) !== 0;
  const apart = exact ? Math.abs(a - b) : Math.abs(a - fraction(a) - (b - fraction(b)));
  return apart > MAX_ZONE_SHIFT_MS || apart % ZONE_STEP_MS !== 0;
}
