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

/** Margin around the drawn nodes, and the most pixels an exported picture may have on a side. */
const PADDING = 0.06;
const MAX_SIDE = 4096;

/**
 * The whole graph (not only what the panel shows) as a PNG or SVG data: URL, at a scale where
 * cards stay legible: one CSS pixel per pixel, or less when that would pass MAX_SIDE.
 */
export async function graphPicture(format: 'png' | 'svg', viewport: HTMLElement, nodes: Node[], background: string): Promise<string> {
  const bounds = getNodesBounds(nodes);
  const scale = Math.min(1, MAX_SIDE / Math.max(bounds.width * (1 + 2 * PADDING), bounds.height * (1 + 2 * PADDING), 1));
  const width = Math.ceil(bounds.width * (1 + 2 * PADDING) * scale);
  const height = Math.ceil(bounds.height * (1 + 2 * PADDING) * scale);
  const view = getViewportForBounds(bounds, width, height, scale, scale, PADDING);
  const options = {
    backgroundColor: background,
    width,
    height,
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
