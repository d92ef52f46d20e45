// Opens the console in the user's browser, quietly doing nothing where there is none.
import { spawn } from 'node:child_process';

/** Best effort: returns false when no browser can be opened here (no display, no opener). */
export function openBrowser(url: string): boolean {
  const { platform, env } = process;
  let command: string;
  let args: string[];
  if (platform === 'darwin') {
    [command, args] = ['open', [url]];
  } else if (platform === 'win32') {
    // The empty string is `start`'s window title; without it a quoted URL would become the title.
    [command, args] = ['cmd', ['/c', 'start', '""', url]];
  } else {
    if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
    [command, args] = ['xdg-open', [url]];
  }
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
