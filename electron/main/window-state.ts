// The window opens where it was left: its normal (not maximized) bounds, and whether it was
// maximized or full screen, kept in <userData>/window-state.json. A saved place that no display
// shows any more (a monitor unplugged, a resolution changed) is not used: the window opens at
// its default size, centred. The file is the app's own but anyone can edit it, so it is checked
// like any input; a bad one is ignored, never a reason not to start.
import fs from 'node:fs';
import { z } from 'zod';
import { fsMessage, writeFileAtomic } from '../app/atomic-file';

export const WINDOW_STATE_FILE = 'window-state.json';

/** Far beyond any real desktop; a value outside it is a broken or hostile file. */
const COORDINATE_LIMIT = 100_000;
/** A real state file is under 200 bytes; a big one is not read at all. */
const MAX_FILE_BYTES = 64 * 1024;
/** How long moving or resizing must pause before the place is written. */
export const SAVE_DELAY_MS = 500;

const coordinate = z.number().int().min(-COORDINATE_LIMIT).max(COORDINATE_LIMIT);
const length = z.number().int().min(1).max(COORDINATE_LIMIT);
const RectSchema = z.object({ x: coordinate, y: coordinate, width: length, height: length });

const WindowStateSchema = z.object({
  version: z.literal(1),
  bounds: RectSchema,
  maximized: z.boolean(),
  fullScreen: z.boolean(),
});

export type Rect = z.infer<typeof RectSchema>;
export type WindowState = z.infer<typeof WindowStateSchema>;

export interface WindowSize {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

/** Where to open the window: x and y are left out (so Electron centres it) when the saved place is not used. */
export interface Placement {
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
  fullScreen: boolean;
}

/** The saved state, or null when there is none; `problem` says in one line why a file was ignored. */
export function readWindowState(file: string): { state: WindowState | null; problem: string | null } {
  let text: string;
  try {
    const stat = fs.statSync(file);
    // A directory, a FIFO or /dev/zero behind a symlink would hang or throw in readFileSync.
    if (!stat.isFile()) return { state: null, problem: `${file} is not a regular file; ignored` };
    if (stat.size > MAX_FILE_BYTES) return { state: null, problem: `${file} is ${stat.size} bytes, too big for a window state; ignored` };
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: null, problem: null };
    return { state: null, problem: `${file} cannot be read (${fsMessage(error)}); ignored` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: null, problem: `${file} is not JSON; ignored` };
  }
  const parsed = WindowStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the file';
    return { state: null, problem: `${file}: ${where}: ${issue?.message ?? 'not a window state'}; ignored` };
  }
  return { state: parsed.data, problem: null };
}

/** A window's title bar must be on a screen to be dragged: this much of it, at least. */
const VISIBLE_WIDTH = 100;
const TITLE_BAR_HEIGHT = 32;
/** Windows draws invisible resize borders a few pixels outside a window's visible frame. */
const FRAME_SLACK = 8;

/**
 * The work area that shows `bounds`' title bar: at least 100 px of its width (or all of a
 * narrower window) and its top edge inside the area. Undefined when none does.
 */
export function visibleOn(bounds: Rect, workAreas: readonly Rect[]): Rect | undefined {
  return workAreas.find((area) => {
    const overlap = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
    const topInside = bounds.y + FRAME_SLACK >= area.y && bounds.y + TITLE_BAR_HEIGHT <= area.y + area.height;
    return overlap >= Math.min(VISIBLE_WIDTH, bounds.width) && topInside;
  });
}

/**
 * Where the window opens: the saved place when a display still shows it (its size kept within
 * the minimum and that display's work area), else the default size, centred.
 */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rect[], size: WindowSize): Placement {
  const area = saved ? visibleOn(saved.bounds, workAreas) : undefined;
  if (!saved || !area) return { bounds: { width: size.width, height: size.height }, maximized: saved?.maximized ?? false, fullScreen: false };
  const width = Math.max(size.minWidth, Math.min(saved.bounds.width, area.width));
  const height = Math.max(size.minHeight, Math.min(saved.bounds.height, area.height));
  return { bounds: { x: saved.bounds.x, y: saved.bounds.y, width, height }, maximized: saved.maximized, fullScreen: saved.fullScreen };
}

/** The part of a BrowserWindow the keeper reads and listens to. */
export interface TrackedWindow {
  on(event: 'move' | 'resize' | 'maximize' | 'unmaximize' | 'enter-full-screen' | 'leave-full-screen' | 'close', listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  isDestroyed(): boolean;
}

const SAVE_EVENTS = ['move', 'resize', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const;

/**
 * Save a window's place to `file`: SAVE_DELAY_MS after it stops moving or resizing, and at once
 * when it closes. Returns the disposer. A failed write is reported through `warn`, never thrown:
 * it runs on a timer, where a throw would take the app down.
 */
export function trackWindowState(win: TrackedWindow, file: string, warn: (line: string) => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let warned = false;
  const save = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed()) return;
    const state: WindowState = { version: 1, bounds: roundRect(win.getNormalBounds()), maximized: win.isMaximized(), fullScreen: win.isFullScreen() };
    try {
      writeFileAtomic(file, `${JSON.stringify(state)}\n`, 0o600);
    } catch (error) {
      // One line per run: a read-only disk would otherwise say it on every move.
      if (!warned) warn(`the window's size and place cannot be saved to ${file}: ${fsMessage(error)}`);
      warned = true;
    }
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  };
  for (const event of SAVE_EVENTS) win.on(event, later);
  win.on('close', save);
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
    for (const event of SAVE_EVENTS) win.removeListener(event, later);
    win.removeListener('close', save);
  };
}

/** Fractional bounds (a scaled display) are stored as the integers the schema accepts. */
function roundRect(rect: Rect): Rect {
  return { x: Math.round(rect.x), y: Math.round(rect.y), width: Math.round(rect.width), height: Math.round(rect.height) };
}
