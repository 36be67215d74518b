import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { hashFile } from './hash.js';
import { findInTrash, parseRecycleInfo, parseTrashInfo, restoreFromTrash, type TrashPlaces } from './trash.js';

/** A Windows 10 `$I` record (version 2) of `original`, moved at `when`. */
function recycleInfo(original: string, size: number, when: Date, version = 2): Buffer {
  const name = Buffer.from(`${original}\0`, 'utf16le');
  const head = Buffer.alloc(version === 2 ? 28 : 24);
  head.writeBigInt64LE(BigInt(version), 0);
  head.writeBigInt64LE(BigInt(size), 8);
  head.writeBigInt64LE((BigInt(when.getTime()) + 11_644_473_600_000n) * 10_000n, 16);
  if (version === 2) head.writeInt32LE(name.length / 2, 24);
  const body = version === 2 ? name : Buffer.concat([name, Buffer.alloc(520 - name.length)]);
  return Buffer.concat([head, body]);
}

async function expectedOf(file: string) {
  return { size: readFileSync(file).length, contentHash: (await hashFile(file)).hash };
}

describe('the OS trash records', () => {
  it('reads a freedesktop .trashinfo: the percent-encoded path, relative to its disk when not absolute', () => {
    const info = '[Trash Info]\nPath=/home/ann/Pictures/Caf%C3%A9%20%231.jpg\nDeletionDate=2026-12-06T10:04:05\n';
    expect(parseTrashInfo(info, '/')).toEqual({
      path: '/home/ann/Pictures/Café #1.jpg',
      deletedAt: new Date(2026, 11, 6, 10, 4, 5).getTime(),
    });
    expect(parseTrashInfo('[Trash Info]\nPath=Photos/a.jpg\n', '/media/usb')!.path).toBe('/media/usb/Photos/a.jpg');
    expect(parseTrashInfo('Path=/a.jpg\n', '/')).toBeNull(); // not a trash record
    expect(parseTrashInfo('[Trash Info]\nPath=%E0%A4%A\n', '/')).toBeNull(); // broken encoding
  });

  it('reads a Windows Recycle Bin $I record of either version', () => {
    const when = new Date('2026-12-06T10:04:05Z');
    expect(parseRecycleInfo(recycleInfo('C:\\Users\\Ann\\Pictures\\é.jpg', 1234, when))).toEqual({
      path: 'C:\\Users\\Ann\\Pictures\\é.jpg',
      deletedAt: when.getTime(),
    });
    expect(parseRecycleInfo(recycleInfo('D:\\Photos\\a.jpg', 5, when, 1))!.path).toBe('D:\\Photos\\a.jpg');
    expect(parseRecycleInfo(Buffer.alloc(10))).toBeNull();
    const broken = recycleInfo('C:\\a.jpg', 1, when);
    broken.writeInt32LE(10_000, 24); // a length past the end
    expect(parseRecycleInfo(broken)).toBeNull();
  });

  it('finds a file in a Windows Recycle Bin by its $I record, whatever the case of the path', async () => {
    const bin = tempDir('recycle');
    const user = path.join(bin, 'S-1-5-21-1');
    mkdirSync(user);
    writeFileSync(path.join(user, '$IAB12CD.jpg'), recycleInfo('C:\\Photos\\IMG_1.jpg', 3, new Date()));
    writeFileSync(path.join(user, '$RAB12CD.jpg'), 'abc');
    writeFileSync(path.join(user, '$IZZ99YY.jpg'), recycleInfo('C:\\Photos\\IMG_2.jpg', 3, new Date()));
    writeFileSync(path.join(user, '$RZZ99YY.jpg'), 'xyz');
    const places: TrashPlaces = { platform: 'win32', home: bin, uid: -1, recycleBin: bin };
    const found = await findInTrash('c:\\photos\\img_1.JPG', places);
    expect(found.map((e) => path.basename(e.file))).toEqual(['$RAB12CD.jpg']);
    expect(path.basename(found[0].record!)).toBe('$IAB12CD.jpg');
  });
});

describe('putting a file back from the trash', () => {
  it('macOS: takes the file of that name (or a suffixed one) only if its content is the one moved', async () => {
    const home = tempDir('mac-home');
    const photos = tempDir('mac-photos');
    const original = path.join(photos, 'IMG_1.jpg');
    writeFileSync(original, 'the photo');
    const expected = await expectedOf(original);
    mkdirSync(path.join(home, '.Trash'));
    // Another file of that name was trashed before: Finder gave ours a suffix.
    writeFileSync(path.join(home, '.Trash', 'IMG_1.jpg'), 'another photo of that name');
    writeFileSync(path.join(home, '.Trash', 'IMG_1 10.42.07.jpg'), readFileSync(original));
    rmSync(original);
    const places: TrashPlaces = { platform: 'darwin', home, uid: 501 };
    expect(await restoreFromTrash(original, expected, places)).toEqual({ restored: true });
    expect(readFileSync(original, 'utf8')).toBe('the photo');
    expect(existsSync(path.join(home, '.Trash', 'IMG_1 10.42.07.jpg'))).toBe(false);
    expect(readFileSync(path.join(home, '.Trash', 'IMG_1.jpg'), 'utf8')).toBe('another photo of that name');
    // Gone from the trash now: a second try says so, and the other file is never taken for it.
    rmSync(original);
    expect(await restoreFromTrash(original, expected, places)).toEqual({
      restored: false,
      reason: 'the trash holds a file of that name with other contents',
    });
    expect(existsSync(original)).toBe(false);
  });

  it('freedesktop: finds the file by its record, drops the record, and never writes over a file', async () => {
    const original = path.join(tempDir('photos'), 'Photos', 'a #1.jpg');
    mkdirSync(path.dirname(original));
    writeFileSync(original, 'bytes of a');
    const expected = await expectedOf(original);
    rmSync(original);
    const places: TrashPlaces = { platform: 'linux', home: tempDir('home'), uid: 4242 };
    const home = path.join(places.home, '.local', 'share', 'Trash');
    mkdirSync(path.join(home, 'files'), { recursive: true });
    mkdirSync(path.join(home, 'info'), { recursive: true });
    writeFileSync(path.join(home, 'files', 'a.jpg'), 'bytes of a');
    writeFileSync(
      path.join(home, 'info', 'a.jpg.trashinfo'),
      `[Trash Info]\nPath=${encodeURI(original)}\nDeletionDate=2026-12-06T10:04:05\n`,
    );
    expect(await restoreFromTrash(original, expected, places)).toEqual({ restored: true });
    expect(readFileSync(original, 'utf8')).toBe('bytes of a');
    expect(existsSync(path.join(home, 'info', 'a.jpg.trashinfo'))).toBe(false);
    // Refuses to write over a file at the place.
    writeFileSync(path.join(home, 'files', 'a.jpg'), 'bytes of a');
    writeFileSync(
      path.join(home, 'info', 'a.jpg.trashinfo'),
      `[Trash Info]\nPath=${encodeURI(original)}\nDeletionDate=2026-12-06T10:04:05\n`,
    );
    expect(await restoreFromTrash(original, expected, places)).toEqual({
      restored: false,
      reason: 'another file is at its place now',
    });
    expect(existsSync(path.join(home, 'files', 'a.jpg'))).toBe(true);
  });
});
