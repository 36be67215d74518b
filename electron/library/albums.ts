/**
 * Albums as the API offers them: by name, with photos named by their paths. Every request is checked whole before
 * anything changes (a name that is empty, taken or unknown; a file that is not a photo of the library; a photo
 * that is not in the album it is taken out of), each refused with one sentence, so nothing is half-applied.
 */
import path from 'node:path';
import type { AlbumSummary, Args, Result } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import type { Catalog } from './catalog/catalog.js';

/** Longest album name, in characters. */
export const MAX_ALBUM_NAME = 200;

/** The name as stored (trimmed), or BAD_REQUEST with a sentence. */
export function albumName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new AppError('BAD_REQUEST', 'An album needs a name.');
  if (name.length > MAX_ALBUM_NAME)
    throw new AppError('BAD_REQUEST', `An album name has at most ${MAX_ALBUM_NAME} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new AppError('BAD_REQUEST', 'An album name cannot hold line breaks or other control characters.');
  return name;
}

function existing(catalog: Catalog, raw: string): AlbumSummary {
  const name = albumName(raw);
  const album = catalog.albums.byName(name);
  if (!album) throw new AppError('BAD_REQUEST', `There is no album named "${name}".`, { name });
  return album;
}

function refuseTaken(catalog: Catalog, name: string): void {
  if (catalog.albums.byName(name))
    throw new AppError('BAD_REQUEST', `There is already an album named "${name}".`, { name });
}

/** The library photos of `paths` (full paths), in order; BAD_REQUEST naming the first that is not one. */
function photosOf(catalog: Catalog, paths: readonly string[]): number[] {
  return paths.map((file) => {
    if (!path.isAbsolute(file))
      throw new AppError('BAD_REQUEST', `"${file}" is not a full path: give the file's full path.`, { path: file });
    const photo = catalog.photoByPath(path.normalize(file));
    if (!photo || photo.status === 'gone')
      throw new AppError('BAD_REQUEST', `${file} is not in the library: scan its folder first.`, { path: file });
    if (photo.status !== 'ready')
      throw new AppError('BAD_REQUEST', `${file} could not be read when it was scanned, so it cannot join an album.`, {
        path: file,
      });
    return photo.id;
  });
}

export function createAlbum(catalog: Catalog, args: Args<'album.create'>): Result<'album.create'> {
  const name = albumName(args.name);
  return catalog.transaction(() => {
    refuseTaken(catalog, name);
    catalog.albums.create(name);
    return { album: catalog.albums.byName(name)! };
  });
}

export function renameAlbum(catalog: Catalog, args: Args<'album.rename'>): Result<'album.rename'> {
  return catalog.transaction(() => {
    const album = existing(catalog, args.name);
    const to = albumName(args.to);
    if (to !== album.name) refuseTaken(catalog, to);
    catalog.albums.rename(album.id, to);
    return { album: { ...album, name: to } };
  });
}

export function deleteAlbum(catalog: Catalog, args: Args<'album.delete'>): Result<'album.delete'> {
  return catalog.transaction(() => {
    const album = existing(catalog, args.name);
    catalog.albums.delete(album.id);
    return { deleted: album };
  });
}

export function addToAlbum(catalog: Catalog, args: Args<'album.add'>): Result<'album.add'> {
  return catalog.transaction(() => {
    const album = existing(catalog, args.name);
    const ids = photosOf(catalog, args.paths);
    const added = catalog.albums.add(album.id, ids);
    return { album: catalog.albums.byName(album.name)!, added };
  });
}

export function removeFromAlbum(catalog: Catalog, args: Args<'album.remove'>): Result<'album.remove'> {
  return catalog.transaction(() => {
    const album = existing(catalog, args.name);
    const ids = photosOf(catalog, args.paths);
    const members = new Set(catalog.albums.photoIds(album.id));
    const stranger = ids.findIndex((id) => !members.has(id));
    if (stranger >= 0)
      throw new AppError('BAD_REQUEST', `${args.paths[stranger]} is not in the album "${album.name}".`, {
        path: args.paths[stranger],
      });
    catalog.albums.remove(album.id, ids);
    return { album: catalog.albums.byName(album.name)!, removed: new Set(ids).size };
  });
}

export function showAlbum(catalog: Catalog, args: Args<'album.show'>): Result<'album.show'> {
  const album = existing(catalog, args.name);
  return { album, photos: catalog.albums.members(album.id) };
}
