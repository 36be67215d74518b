/**
 * Larger views of library photos for the compare view: decoded from the file (upright, as EXIF says), the longer
 * side at most PREVIEW_SIDE, as WebP. By photo id only (never by path), so a page cannot read an arbitrary file;
 * the last few are kept, since a person switches back and forth between two copies.
 */
import { makeThumbnail } from '../../model/image/decode.js';
import type { Library } from './library.js';

export const PREVIEW_SIDE = 1600;
const KEPT = 8;

export class Previews {
  private readonly kept = new Map<number, Promise<Uint8Array | undefined>>();

  constructor(private readonly library: Library) {}

  get(photoId: number): Promise<Uint8Array | undefined> {
    const photo = this.library.get().photoById(photoId);
    if (!photo || photo.status === 'gone') return Promise.resolve(undefined);
    const key = photoId;
    const known = this.kept.get(key);
    if (known) {
      this.kept.delete(key); // most recently used last
      this.kept.set(key, known);
      return known;
    }
    const made = makeThumbnail(photo.path, PREVIEW_SIDE).then(
      (webp) => new Uint8Array(webp.buffer, webp.byteOffset, webp.byteLength),
      () => {
        this.kept.delete(key); // an unreadable file now may be readable later
        return undefined;
      },
    );
    this.kept.set(key, made);
    if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
    return made;
  }
}
