// Export from the UI: the graph as a picture (PNG, SVG) and the snapshot as data (JSON), each
// saved as a download named after the topology's first seed and the snapshot's time.
// html-to-image draws the graph's DOM (cards are HTML, links SVG) into a PNG, as xyflow's own
// "download image" example does; pinned to 1.11.11, the version that example pins (later ones
// draw xyflow's edges wrongly). Its SVG is that HTML inside a <foreignObject>, which only browsers
// draw (Inkscape, Illustrator, draw.io and librsvg show an empty picture): dom-to-svg writes the
// SVG instead, from the laid-out page, as SVG shapes and text; loaded when asked for (it brings
// postcss: some 100 kB the first render would parse for nothing).
import { toPng } from 'html-to-image';
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
 * The whole graph (not only what the panel shows) as a PNG data: URL, at a scale where cards
 * stay legible (pictureScale).
 */
export async function graphPng(viewport: HTMLElement, nodes: Node[], background: string): Promise<string> {
  const bounds = getNodesBounds(nodes);
  const [fullWidth, fullHeight] = [bounds.width * (1 + 2 * PADDING), bounds.height * (1 + 2 * PADDING)];
  const { scale, pixelRatio } = pictureScale(fullWidth, fullHeight, window.devicePixelRatio);
  const width = Math.ceil(fullWidth * scale);
  const height = Math.ceil(fullHeight * scale);
  const view = getViewportForBounds(bounds, width, height, scale, scale, PADDING);
  return toPng(viewport, {
    backgroundColor: background,
    width,
    height,
    pixelRatio,
    // html-to-image's own cap (16,384 a side) would shrink it again, without the area check above.
    skipAutoScale: true,
    style: { width: `${width}px`, height: `${height}px`, transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` },
  });
}

/**
 * The whole graph as an SVG document's text: shapes and text at one unit per CSS pixel, on the
 * background it is shown on. dom-to-svg reads the live layout, so for the time of one synchronous
 * call (no frame is painted in it) the graph is placed at zoom 1 with its top left corner at the
 * pane's, then put back where the user had it.
 */
export async function graphSvg(viewport: HTMLElement, nodes: Node[], background: string): Promise<string> {
  const { elementToSVG } = await import('dom-to-svg');
  const bounds = getNodesBounds(nodes);
  const width = Math.ceil(bounds.width * (1 + 2 * PADDING));
  const height = Math.ceil(bounds.height * (1 + 2 * PADDING));
  const view = getViewportForBounds(bounds, width, height, 1, 1, PADDING);
  // The viewport's untransformed origin is the pane's top left corner.
  const origin = (viewport.parentElement ?? viewport).getBoundingClientRect();
  const area = new DOMRect(origin.x, origin.y, width, height);
  const shown = viewport.style.transform;
  let svg: XMLDocument;
  try {
    viewport.style.transform = `translate(${view.x}px, ${view.y}px) scale(1)`;
    svg = elementToSVG(viewport, { captureArea: area, keepLinks: false });
  } finally {
    viewport.style.transform = shown;
  }
  withoutComments(svg);
  const backdrop = svg.createElementNS(SVG_NS, 'rect');
  backdrop.setAttribute('x', String(area.x));
  backdrop.setAttribute('y', String(area.y));
  backdrop.setAttribute('width', String(width));
  backdrop.setAttribute('height', String(height));
  backdrop.setAttribute('fill', background);
  svg.documentElement.insertBefore(backdrop, svg.documentElement.firstChild);
  for (const element of svg.querySelectorAll('*')) plainAttributes(element);
  return new XMLSerializer().serializeToString(svg);
}

/**
 * Drops the document's comments. dom-to-svg writes the address of the page it drew in one, and
 * the web mode's address carries its access token: an SVG put on a wiki handed out the console.
 */
function withoutComments(svg: XMLDocument): void {
  const walker = svg.createTreeWalker(svg, NodeFilter.SHOW_COMMENT);
  const comments: Comment[] = [];
  while (walker.nextNode()) comments.push(walker.currentNode as Comment);
  for (const comment of comments) comment.remove();
}

/** Each colour attribute with the attribute that carries its alpha in SVG 1.1. */
const ALPHA_OF: Record<string, string | null> = { fill: 'fill-opacity', stroke: 'stroke-opacity', 'stop-color': 'stop-opacity', 'flood-color': 'flood-opacity', color: null };

/**
 * Attributes in the SVG 1.1 forms other tools read: dom-to-svg copies the computed styles as
 * Chromium writes them (a color-mix() colour as `color(srgb …)`, alpha inside `rgba(…)`, links as
 * `url("#id")`), which resvg and librsvg skip: the links and the master's border were not drawn.
 */
function plainAttributes(element: Element): void {
  for (const { name, value } of [...element.attributes]) {
    if (value.includes('url("')) element.setAttribute(name, value.replace(/url\("([^"]*)"\)/g, 'url($1)'));
    const alphaName = ALPHA_OF[name];
    if (alphaName === undefined) continue;
    const plain = svgColor(value);
    if (plain === null) continue;
    element.setAttribute(name, plain.color);
    if (plain.alpha < 1 && alphaName !== null) element.setAttribute(alphaName, String(plain.alpha * Number(element.getAttribute(alphaName) ?? 1)));
  }
}

const RGB = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/;
const SRGB = /^color\(srgb\s+([-\d.e]+)\s+([-\d.e]+)\s+([-\d.e]+)(?:\s*\/\s*([\d.]+%?))?\s*\)$/;

/**
 * A computed CSS colour as SVG 1.1 takes it: `rgb(r, g, b)` and its alpha apart. Null for a value
 * already in that form (no alpha) or not a colour (none, currentColor, a url()).
 */
export function svgColor(value: string): { color: string; alpha: number } | null {
  const rgb = RGB.exec(value);
  const srgb = rgb ? null : SRGB.exec(value);
  const match = rgb ?? srgb;
  if (!match) return null;
  const alphaText = match[4];
  const alpha = alphaText === undefined ? 1 : alphaText.endsWith('%') ? Number.parseFloat(alphaText) / 100 : Number(alphaText);
  if (rgb && alpha === 1) return null;
  const channel = (text: string | undefined): number => Math.round(Math.min(255, Math.max(0, Number(text) * (srgb ? 255 : 1))));
  return { color: `rgb(${channel(match[1])}, ${channel(match[2])}, ${channel(match[3])})`, alpha };
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The colour the graph is drawn on: the first ancestor (from the pane up) that paints a background. */
export function shownBackground(element: HTMLElement): string {
  for (let at: HTMLElement | null = element; at; at = at.parentElement) {
    const color = getComputedStyle(at).backgroundColor;
    if (color && color !== 'transparent' && color !== 'rgba(0, 0, 0, 0)') return color;
  }
  return '#ffffff';
}
