// One console per user: two would share the audit log, the plan journal and the lab, and two
// windows could plan against the same topology without seeing each other's plans. A second
// launch hands over to the first (Electron tells it through 'second-instance') and quits.
import type { App } from 'electron';

/** The part of our window bringing it to the front needs. */
export interface FrontWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/**
 * Take the single-instance lock. The first instance gets true and, on every later launch, brings
 * `window()` to the front. A second instance gets false: it must quit before it opens anything.
 */
export function claimSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'on'>, window: () => FrontWindow | null): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => bringToFront(window()));
  return true;
}

/** Restore a minimized window, show a hidden one, and focus it. */
export function bringToFront(win: FrontWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
