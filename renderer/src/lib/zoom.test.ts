import { describe, expect, it } from 'vitest';
import { clampView, FIT, MAX_ZOOM, panBy, transformOf, zoomAt } from './zoom.js';

describe('the compare view zoom', () => {
  it('zooms about the pointer: the point under it stays put', () => {
    const view = zoomAt(FIT, 2, 100, 50, 400, 300);
    expect(view).toEqual({ zoom: 2, x: -100, y: -50 });
    // The picture point under (100, 50) before is (100, 50) in picture units; after: x + 100 * zoom = 100.
    expect(view.x + 100 * view.zoom).toBe(100);
    const again = zoomAt(view, 1.5, 300, 200, 400, 300);
    const before = { u: (300 - view.x) / view.zoom, v: (200 - view.y) / view.zoom };
    expect(again.x + before.u * again.zoom).toBeCloseTo(300);
    expect(again.y + before.v * again.zoom).toBeCloseTo(200);
  });

  it('never shows beyond the picture, and stays between fit and the largest zoom', () => {
    expect(zoomAt(FIT, 0.5, 10, 10, 400, 300)).toEqual(FIT);
    expect(zoomAt(FIT, 1000, 0, 0, 400, 300).zoom).toBe(MAX_ZOOM);
    const zoomed = zoomAt(FIT, 2, 200, 150, 400, 300);
    expect(panBy(zoomed, 10_000, 10_000, 400, 300)).toEqual({ zoom: 2, x: 0, y: 0 });
    expect(panBy(zoomed, -10_000, -10_000, 400, 300)).toEqual({ zoom: 2, x: -400, y: -300 });
    expect(clampView({ zoom: 1, x: -50, y: 20 }, 400, 300)).toEqual(FIT);
    expect(transformOf({ zoom: 2, x: -10, y: 5 })).toBe('translate(-10px, 5px) scale(2)');
  });
});
