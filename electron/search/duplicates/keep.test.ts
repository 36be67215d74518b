import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bestQualityReason,
  checkTrashSelection,
  chooseKeeper,
  defaultTrashSelection,
  familyOf,
  formatFamily,
  keepOrder,
  proposeKeep,
  SAME_RESOLUTION,
  type KeepCandidate,
  type KeepRule,
} from './keep.js';

const file = (id: number, over: Partial<KeepCandidate> = {}): KeepCandidate => ({
  id,
  path: `/photos/${id}.jpg`,
  width: 100,
  height: 100,
  bytes: 1000,
  takenAt: null,
  ...over,
});

const candidate = fc.record({
  id: fc.integer({ min: 0, max: 1_000_000 }),
  path: fc.constantFrom('/a/x.jpg', '/a/y.HEIC', '/b/x.nef', '/b/z.png', '/c/w.jpeg', 'C:\\pics\\v.jpg'),
  width: fc.constantFrom(100, 640, 4000),
  height: fc.constantFrom(100, 480, 3000),
  bytes: fc.integer({ min: 1, max: 5 }),
  takenAt: fc.constantFrom(null, '2020-01-01T00:00:00Z', '2021-06-01T12:00:00Z', 'not a date'),
});
const group = fc.uniqueArray(candidate, { minLength: 1, maxLength: 8, selector: (c) => c.id });
const rule: fc.Arbitrary<KeepRule> = fc.oneof(
  fc.constant<KeepRule>({ kind: 'best-quality' }),
  fc.constant<KeepRule>({ kind: 'newest' }),
  fc.constant<KeepRule>({ kind: 'oldest' }),
  fc.constant<KeepRule>({ kind: 'preferred-folder', folder: '/b' }),
  fc.constant<KeepRule>({ kind: 'format-preference', formats: ['raw', 'heic', 'jpeg'] }),
);

describe('keep rules', () => {
  it('default: highest resolution, then largest file, then oldest capture, then path order', () => {
    expect(chooseKeeper([file(1), file(2, { width: 200 })]).id).toBe(2);
    expect(chooseKeeper([file(1), file(2, { bytes: 2000 })]).id).toBe(2);
    const dated = [file(1, { takenAt: '2021-01-01' }), file(2, { takenAt: '2019-01-01' }), file(3)];
    expect(chooseKeeper(dated).id).toBe(2);
    expect(chooseKeeper([file(1, { path: '/z.jpg' }), file(2, { path: '/a.jpg' })]).id).toBe(2);
  });

  it("default: a camera's raw file before its JPEG, though the preview it carries is smaller", () => {
    // RAW + JPEG from one shot: the scan decodes the raw's embedded preview, often a fraction of the sensor's size.
    const shot = { takenAt: '2024-05-01T10:00:00.000Z', camera: 'NIKON D750', width: 6016, height: 4016 };
    const nef = file(1, { ...shot, path: '/p/DSC_0001.NEF', format: 'raw', width: 1620, height: 1080, bytes: 25e6 });
    const jpg = file(2, { ...shot, path: '/p/DSC_0001.JPG', format: 'jpeg', bytes: 9e6 });
    expect(chooseKeeper([jpg, nef]).id).toBe(1);
    expect(chooseKeeper([nef, jpg, file(3, { ...shot, path: '/p/DSC_0001-edit.jpg', bytes: 12e6 })]).id).toBe(1);
    // Two raws (the camera's and a DNG made from it): the other criteria decide, here more picture.
    const dng = file(4, { ...shot, path: '/p/DSC_0001.dng', format: 'raw', bytes: 30e6 });
    expect(chooseKeeper([nef, jpg, dng]).id).toBe(4);
    expect(bestQualityReason(nef, jpg)).toBe('camera raw');
  });

  it('default: resolution counts content pixels, so a copy with an added border does not outrank its original', () => {
    // The real case: a 512×512 original and a copy framed to 574×574 (more pixels, a larger file, same picture).
    const original = file(1, { path: '/p/ihc.jpg', width: 512, height: 512, contentWidth: 512, contentHeight: 512 });
    const bordered = { path: '/p/ihc--border.jpg', width: 574, height: 574, contentWidth: 512, contentHeight: 512 };
    expect(chooseKeeper([file(2, { ...bordered, bytes: 900 }), original]).id).toBe(1);
    // Same content size: the added frame is an edit, so even a larger framed file is not kept.
    expect(chooseKeeper([file(2, { ...bordered, bytes: 2000 }), original]).id).toBe(1);
    // A copy with a larger picture still wins, bordered or not.
    const larger = file(3, { width: 1100, height: 1100, contentWidth: 1024, contentHeight: 1024, bytes: 500 });
    expect(chooseKeeper([original, larger]).id).toBe(3);
    expect(chooseKeeper([original, file(4, { width: 1024, height: 1024, bytes: 500 })]).id).toBe(4);
    // Without a measured content size (analysed before it was stored), the full size counts.
    expect(chooseKeeper([file(5, { width: 574, height: 574, bytes: 900 }), original]).id).toBe(5);
    expect(
      chooseKeeper([file(6, { width: 574, height: 574, contentWidth: null, contentHeight: null }), original]).id,
    ).toBe(6);
  });

  it('alternative rules: newest, oldest, preferred folder, format preference', () => {
    const files = [
      file(1, { takenAt: '2021-01-01', width: 4000, path: '/inbox/1.jpg' }),
      file(2, { takenAt: '2019-01-01', path: '/Albums/2.HEIC' }),
      file(3, { takenAt: null, path: '/inbox/3.CR3' }),
    ];
    expect(chooseKeeper(files, { kind: 'newest' }).id).toBe(1);
    expect(chooseKeeper(files, { kind: 'oldest' }).id).toBe(2);
    expect(chooseKeeper(files, { kind: 'preferred-folder', folder: '/Albums/' }).id).toBe(2);
    expect(chooseKeeper(files, { kind: 'format-preference', formats: ['raw', 'heic'] }).id).toBe(3);
    expect(chooseKeeper(files, { kind: 'format-preference', formats: ['HEIF', 'raw'] }).id).toBe(2);
    expect(
      chooseKeeper([file(4, { path: 'C:\\Albums\\4.jpg' }), file(5, { width: 900 })], {
        kind: 'preferred-folder',
        folder: 'C:\\Albums',
      }).id,
    ).toBe(4);
    expect(formatFamily('.JPG')).toBe('jpeg');
    expect(formatFamily('dng')).toBe('raw');
  });

  it('keeps one copy whatever the order when tolerances make three copies each lose to another', () => {
    // Sizes within 10 % tie; bytes count within one format; then names: w.jpeg beats x.jpg (bytes), x.jpg beats
    // y.HEIC (name), y.HEIC beats w.jpeg (name). The larger JPEG is set aside first, then the names decide.
    const cycle = [
      file(0, { path: '/a/x.jpg', width: 100, height: 3000, bytes: 1 }),
      file(1, { path: '/c/w.jpeg', width: 100, height: 3000, bytes: 2 }),
      file(2, { path: '/a/y.HEIC', width: 640, height: 480, bytes: 1 }),
    ];
    const order = keepOrder({ kind: 'newest' });
    expect(order(cycle[1], cycle[0]) < 0 && order(cycle[0], cycle[2]) < 0 && order(cycle[2], cycle[1]) < 0).toBe(true);
    for (const rotation of [0, 1, 2]) {
      const listed = cycle.map((_, i) => cycle[(i + rotation) % 3]);
      expect(chooseKeeper(listed, { kind: 'newest' }).id).toBe(2);
      expect(chooseKeeper(listed).id).toBe(2);
    }
  });

  it('the keeper is a member, independent of input order, and best under the rule', () => {
    fc.assert(
      fc.property(group, rule, fc.integer(), (files, r, shift) => {
        const keeper = chooseKeeper(files, r);
        expect(files).toContain(keeper);
        const rotated = files.map((_, i) => files[(i + Math.abs(shift)) % files.length]);
        expect(chooseKeeper(rotated, r).id).toBe(keeper.id);
        // A copy the comparison puts before every other is the one kept (there need not be one: with tolerances
        // three copies can each lose to another).
        const order = keepOrder(r);
        const first = files.find((f) => files.every((g) => g === f || order(f, g) < 0));
        if (first) expect(keeper.id).toBe(first.id);
        // The rule's own criterion holds of the keeper.
        const time = (f: (typeof files)[number]) => {
          const t = f.takenAt ? Date.parse(f.takenAt) : NaN;
          return Number.isNaN(t) ? null : t;
        };
        const dated = files.map(time).filter((t): t is number => t !== null);
        if (r.kind === 'newest' && dated.length) expect(time(keeper)).toBe(Math.max(...dated));
        if (r.kind === 'oldest' && dated.length) expect(time(keeper)).toBe(Math.min(...dated));
        if (r.kind === 'best-quality') {
          // A camera's raw file first, whatever its size; then, among the raws or with none, the largest (sizes
          // within SAME_RESOLUTION tie: 100 × 3000 and 640 × 480).
          const raws = files.filter((f) => familyOf(f) === 'raw');
          expect(familyOf(keeper) === 'raw').toBe(raws.length > 0);
          const largest = Math.max(...(raws.length ? raws : files).map((f) => f.width * f.height));
          expect(SAME_RESOLUTION * keeper.width * keeper.height).toBeGreaterThanOrEqual(largest);
        }
        expect(
          proposeKeep(files, r)
            .filter((f) => f.keep)
            .map((f) => f.id),
        ).toEqual([keeper.id]);
      }),
    );
  });
});

describe('trash safety invariant', () => {
  it('refuses a selection that would remove every member of a group', () => {
    const groups = [{ ids: [1, 2, 3] }, { ids: [4, 5] }];
    expect(checkTrashSelection(groups, [2, 3, 5])).toEqual({ ok: true, violations: [] });
    expect(checkTrashSelection(groups, [1, 2, 3, 5])).toEqual({
      ok: false,
      violations: [{ groupIndex: 0, ids: [1, 2, 3] }],
    });
  });

  it('holds for random groups and selections: ok exactly when every group keeps a member', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 }), { maxLength: 8 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 31 }),
        (groupIds, selection) => {
          const result = checkTrashSelection(
            groupIds.map((ids) => ({ ids })),
            selection,
          );
          const fullyCovered = groupIds.flatMap((ids, i) => (ids.every((id) => selection.includes(id)) ? [i] : []));
          expect(result.violations.map((v) => v.groupIndex)).toEqual(fullyCovered);
          expect(result.ok).toBe(fullyCovered.length === 0);
        },
      ),
    );
  });

  it('the default proposal always passes, and adding any keeper back fails', () => {
    fc.assert(
      fc.property(fc.array(group, { minLength: 1, maxLength: 5 }), rule, (groups, r) => {
        // Photos belong to one group each in practice: give every group its own id range.
        const distinct = groups.map((files, g) => files.map((f) => ({ ...f, id: g * 10_000_000 + f.id })));
        const selection = defaultTrashSelection(distinct, r);
        const asIds = distinct.map((files) => ({ ids: files.map((f) => f.id) }));
        expect(checkTrashSelection(asIds, selection).ok).toBe(true);
        const keeper = chooseKeeper(distinct[0], r);
        expect(checkTrashSelection(asIds, [...selection, keeper.id]).ok).toBe(false);
      }),
    );
  });

  it('keeps the original name rather than a copy-named twin when everything else is equal', () => {
    const base = { width: 10, height: 10, bytes: 5, takenAt: null };
    for (const copy of ['/p/photo copy.jpg', '/p/photo (2).jpg', '/p/Copy of photo.jpg', '/p/photo_copy 2.jpg']) {
      const files = [
        { ...base, id: 1, path: copy },
        { ...base, id: 2, path: '/p/photo.jpg' },
      ];
      expect(chooseKeeper(files).path).toBe('/p/photo.jpg');
    }
    // Resolution still decides first.
    expect(
      chooseKeeper([
        { ...base, id: 1, path: '/p/a copy.jpg', width: 20 },
        { ...base, id: 2, path: '/p/a.jpg' },
      ]).id,
    ).toBe(1);
  });
});

describe('best quality keeps the original, not a worse copy', () => {
  const keeper = (files: KeepCandidate[]) => chooseKeeper(files).path;

  it('treats content sizes within a few percent as equal, so a re-saved copy does not win on a measured border', () => {
    // The reported case: Dune.jpg's content box lost 16 rows of uniform sky; its quality-40 copy kept them.
    const original = file(1, {
      path: '/p/Dune.jpg',
      width: 1680,
      height: 1050,
      contentWidth: 1680,
      contentHeight: 1034,
      bytes: 997_000,
      takenAt: '2019-05-01T10:00:00Z',
      jpegQuality: 95,
    });
    const resaved = file(2, {
      path: '/p/Dune_q40.jpg',
      width: 1680,
      height: 1050,
      contentWidth: 1680,
      contentHeight: 1050,
      bytes: 110_000,
      jpegQuality: 40,
    });
    expect(keeper([original, resaved])).toBe('/p/Dune.jpg');
    expect(keeper([resaved, original])).toBe('/p/Dune.jpg');
    // Without a date on either, the JPEG quality still tells them apart.
    expect(keeper([{ ...original, takenAt: null }, resaved])).toBe('/p/Dune.jpg');
  });

  it('prefers colour to a greyscale copy, even a larger file', () => {
    const colour = file(1, { path: '/p/a.jpg', grey: false, bytes: 1000 });
    const grey = file(2, { path: '/p/a-grey.jpg', grey: true, bytes: 5000 });
    expect(keeper([grey, colour])).toBe('/p/a.jpg');
  });

  it('does not let a lossless copy win on bytes: the older file is the original', () => {
    const original = file(1, { path: '/p/a.jpg', bytes: 200_000, jpegQuality: 92, mtimeMs: 1_000_000 });
    const turnedPng = file(2, { path: '/p/a-turned.png', bytes: 900_000, mtimeMs: 9_000_000 });
    expect(keeper([turnedPng, original])).toBe('/p/a.jpg');
  });

  it('still keeps clearly more picture, and the larger file of one format when nothing else differs', () => {
    const small = file(1, { path: '/p/a.jpg', width: 1000, height: 800, takenAt: '2019-05-01T10:00:00Z' });
    const big = file(2, { path: '/p/b.jpg', width: 2000, height: 1600 });
    expect(keeper([small, big])).toBe('/p/b.jpg');
    expect(keeper([file(1, { bytes: 10 }), file(2, { bytes: 20 })])).toBe('/photos/2.jpg');
  });
});

describe('an enlarged copy', () => {
  it('counts the pixels it was enlarged from, and comes after that copy even when larger and saved better', () => {
    const original = file(1, { path: '/p/camera.jpg', width: 512, height: 512, jpegQuality: 90 });
    const big = file(2, {
      path: '/p/big_camera.jpg',
      width: 3000,
      height: 3000,
      bytes: 9_000_000,
      jpegQuality: 95,
      detailPixels: 512 * 512,
      enlarged: true,
    });
    expect(chooseKeeper([big, original]).path).toBe('/p/camera.jpg');
    // A larger copy with its own detail (no detailPixels) still wins.
    expect(chooseKeeper([{ ...big, detailPixels: null, enlarged: false }, original]).path).toBe('/p/big_camera.jpg');
    // One found enlarged that counts its own pixels again (another copy of its size holds more detail) still
    // comes after a copy of that size not found enlarged.
    const resave = file(3, { path: '/p/camera_resaved.jpg', width: 3000, height: 3000, jpegQuality: 95 });
    expect(chooseKeeper([{ ...big, detailPixels: null }, resave]).path).toBe('/p/camera_resaved.jpg');
  });
});

describe('hints of which copy came first', () => {
  it('keeps the older file, then the name the other was made from, when the pictures cannot tell', () => {
    const original = file(1, { path: '/p/IMG_1234.jpg', mtimeMs: 1_000_000 });
    const edited = file(2, { path: '/p/IMG_1234-edited.jpg', mtimeMs: 1_000_000 });
    expect(chooseKeeper([edited, original]).path).toBe('/p/IMG_1234.jpg');
    // An older file wins even against the shorter name.
    expect(chooseKeeper([{ ...edited, mtimeMs: 100 }, original]).path).toBe('/p/IMG_1234-edited.jpg');
  });

  it('lets a JPEG quality decide only when one copy was re-saved low', () => {
    const camera = file(1, { path: '/p/a.jpg', jpegQuality: 85, mtimeMs: 100 });
    expect(chooseKeeper([file(2, { path: '/p/b.jpg', jpegQuality: 95, mtimeMs: 9_000 }), camera]).path).toBe(
      '/p/a.jpg',
    );
    expect(chooseKeeper([file(2, { path: '/p/b.jpg', jpegQuality: 40, mtimeMs: 50 }), camera]).path).toBe('/p/a.jpg');
  });

  it('keeps the clearly sharper of two copies of one size, not one only a little sharper', () => {
    const sharp = file(1, { path: '/p/b.jpg', sharpness: 0.04, mtimeMs: 9_000 });
    expect(chooseKeeper([file(2, { path: '/p/a.jpg', sharpness: 0.004, mtimeMs: 100 }), sharp]).path).toBe('/p/b.jpg');
    expect(chooseKeeper([file(2, { path: '/p/a.jpg', sharpness: 0.03, mtimeMs: 100 }), sharp]).path).toBe('/p/a.jpg');
  });
});

describe('the keeper does not depend on the order of the group', () => {
  it('chooses the same file however the group is listed', () => {
    fc.assert(
      fc.property(group, rule, (files, r) => {
        const forward = chooseKeeper(files, r).id;
        expect(chooseKeeper([...files].reverse(), r).id).toBe(forward);
      }),
    );
  });
});
