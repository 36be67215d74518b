/**
 * The shared view of the compare panes: one zoom and one offset applied to both pictures, so they stay in step.
 * Pictures are laid out to fit their pane at zoom 1 (origin at the pane's top left); the view moves and scales them
 * (CSS `translate(x, y) scale(zoom)` with the origin at the top left).
 */
export interface View {
  zoom: number;
  x: number;
  y: number;
}

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 16;
export const FIT: View = { zoom: 1, x: 0, y: 0 };

/** Keeps the picture covering the pane: no offset that would show empty space beyond its edges. */
export function clampView(view: View, width: number, height: number): View {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom));
  const clamp = (v: number, size: number) => Math.min(0, Math.max(size - size * zoom, v));
  return { zoom, x: clamp(view.x, width), y: clamp(view.y, height) };
}

/** Zoom by `factor` about the point (px, py) of the pane, which stays where it is. */
export function zoomAt(view: View, factor: number, px: number, py: number, width: number, height: number): View {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
  const k = zoom / view.zoom;
  return clampView({ zoom, x: px - (px - view.x) * k, y: py - (py - view.y) * k }, width, height);
}

/** Moved by (dx, dy) pixels of the pane. */
export function panBy(view: View, dx: number, dy: number, width: number, height: number): View {
  return clampView({ zoom: view.zoom, x: view.x + dx, y: view.y + dy }, width, height);
}

export function transformOf(view: View): string {
  return `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`;
}
