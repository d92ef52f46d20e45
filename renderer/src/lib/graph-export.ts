// Export from the UI: the graph as a picture (PNG, SVG) and the snapshot as data (JSON), each
// saved as a download named after the topology's first seed and the snapshot's time.
// html-to-image draws the graph's DOM (cards are HTML, links SVG) into an image, as xyflow's own
// "download image" example does; pinned to 1.11.11, the version that example pins (later ones
// draw xyflow's edges wrongly).
import { toPng, toSvg } from 'html-to-image';
import { getNodesBounds, getViewportForBounds, type Node } from '@xyflow/svelte';

export type ExportFormat = 'json' | 'png' | 'svg';

/** "replication-10.0.0.5_6379-2026-12-02T16-40-00-000Z.png": a name a file system takes anywhere. */
export function exportFileName(seed: string | undefined, takenAt: number, extension: string): string {
  const topology = (seed ?? 'topology').replace(/[^A-Za-z0-9.-]+/g, '_');
  const stamp = new Date(takenAt).toISOString().replace(/[:.]/g, '-');
  return `replication-${topology}-${stamp}.${extension}`;
}

/** Hand `content` (text, a Blob, or a data: URL) to the browser as a download. */
export function download(name: string, content: Blob | string, type = 'application/octet-stream'): void {
  const dataUrl = typeof content === 'string' && content.startsWith('data:');
  const url = dataUrl ? (content as string) : URL.createObjectURL(typeof content === 'string' ? new Blob([content], { type }) : content);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // After the click has handed the URL to the download.
  if (!dataUrl) setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Margin around the drawn nodes. */
const PADDING = 0.06;
/**
 * The most pixels a PNG may have on a side and in all (Chromium's canvas allows 16,384 and about
 * 268 million; 48 million RGBA pixels are under 200 MB while it is encoded).
 */
const MAX_SIDE = 16_384;
const MAX_PIXELS = 48_000_000;

export interface PictureScale {
  /** CSS pixels drawn per graph unit: 1 unless the graph would pass the limits at one. */
  scale: number;
  /** Device pixels per CSS pixel: the screen's (sharp on a HiDPI screen) while that fits too. */
  pixelRatio: number;
}

/**
 * The scale of a PNG of a `width` × `height` graph: every card at one CSS pixel per pixel (a
 * 100-node tree is some 6,000 px wide: capped at 4,096 its cards' text was 8 px), smaller only
 * past MAX_SIDE or MAX_PIXELS, and as sharp as the screen while that stays within them.
 */
export function pictureScale(width: number, height: number, devicePixelRatio: number): PictureScale {
  const w = Math.max(width, 1);
  const h = Math.max(height, 1);
  const fit = (side: number, area: number): number => Math.min(MAX_SIDE / side, Math.sqrt(MAX_PIXELS / area));
  const scale = Math.min(1, fit(Math.max(w, h), w * h));
  const pixelRatio = Math.max(1, Math.min(devicePixelRatio || 1, fit(Math.max(w, h) * scale, w * h * scale * scale)));
  return { scale, pixelRatio };
}

/**
 * The whole graph (not only what the panel shows) as a PNG or SVG data: URL, at a scale where
 * cards stay legible (pictureScale; an SVG is drawn at one CSS pixel per unit, as it scales).
 */
export async function graphPicture(format: 'png' | 'svg', viewport: HTMLElement, nodes: Node[], background: string): Promise<string> {
  const bounds = getNodesBounds(nodes);
  const [fullWidth, fullHeight] = [bounds.width * (1 + 2 * PADDING), bounds.height * (1 + 2 * PADDING)];
  const { scale, pixelRatio } = format === 'png' ? pictureScale(fullWidth, fullHeight, window.devicePixelRatio) : { scale: 1, pixelRatio: 1 };
  const width = Math.ceil(fullWidth * scale);
  const height = Math.ceil(fullHeight * scale);
  const view = getViewportForBounds(bounds, width, height, scale, scale, PADDING);
  const options = {
    backgroundColor: background,
    width,
    height,
    pixelRatio,
    // html-to-image's own cap (16,384 a side) would shrink it again, without the area check above.
    skipAutoScale: true,
    style: { width: `${width}px`, height: `${height}px`, transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` },
  };
  return format === 'png' ? toPng(viewport, options) : toSvg(viewport, options);
}

/** The colour the graph is drawn on: the first ancestor (from the pane up) that paints a background. */
export function shownBackground(element: HTMLElement): string {
  for (let at: HTMLElement | null = element; at; at = at.parentElement) {
    const color = getComputedStyle(at).backgroundColor;
    if (color && color !== 'transparent' && color !== 'rgba(0, 0, 0, 0)') return color;
  }
  return '#ffffff';
}
