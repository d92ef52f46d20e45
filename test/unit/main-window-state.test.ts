// The window's remembered size and place (window-state.ts): saved after moving stops and on
// close, read back only when a display still shows it, and a bad file never stops the start.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { placeWindow, readWindowState, SAVE_DELAY_MS, trackWindowState, visibleOn, type WindowState } from '../../electron/main/window-state';
import { createElectronStandIn, type StandInWindow } from '../helpers/electron-stand-in';

const SIZE = { width: 1360, height: 860, minWidth: 900, minHeight: 600 };
const LAPTOP = { x: 0, y: 0, width: 1440, height: 875 };
const RIGHT_MONITOR = { x: 1440, y: 0, width: 2560, height: 1415 };

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rc-window-state-'));
  file = join(dir, 'window-state.json');
});

afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

function window(workAreas = [LAPTOP, RIGHT_MONITOR]): StandInWindow {
  const electron = createElectronStandIn({ userData: dir, workAreas });
  const BrowserWindow = electron.module.BrowserWindow as new (options: Record<string, unknown>) => StandInWindow;
  return new BrowserWindow({ width: SIZE.width, height: SIZE.height });
}

function saved(state: Partial<WindowState> & { bounds: WindowState['bounds'] }): WindowState {
  return { version: 1, maximized: false, fullScreen: false, ...state };
}

describe('saving', () => {
  it('writes once moving has paused, not on every move, and at once on close; the next start reads it back', () => {
    vi.useFakeTimers();
    const win = window();
    const warnings: string[] = [];
    trackWindowState(win, file, (line) => warnings.push(line));
    win.setBounds({ x: 1600, y: 100 });
    win.setBounds({ width: 1500, height: 900 });
    vi.advanceTimersByTime(SAVE_DELAY_MS - 1);
    expect(existsSync(file)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(readWindowState(file)).toEqual({ state: saved({ bounds: { x: 1600, y: 100, width: 1500, height: 900 } }), problem: null });

    win.maximize();
    win.setBounds({ x: 1700 });
    // Closing does not wait for the delay.
    win.close();
    const { state } = readWindowState(file);
    expect(state).toEqual(saved({ bounds: { x: 1700, y: 100, width: 1500, height: 900 }, maximized: true }));
    expect(placeWindow(state, [LAPTOP, RIGHT_MONITOR], SIZE)).toEqual({ bounds: { x: 1700, y: 100, width: 1500, height: 900 }, maximized: true, fullScreen: false });
    expect(warnings).toEqual([]);
    // The file is the user's alone, like the other files in the data directory.
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps full screen, and stops listening once disposed', () => {
    vi.useFakeTimers();
    const win = window();
    const stop = trackWindowState(win, file, () => undefined);
    win.setFullScreen(true);
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(readWindowState(file).state?.fullScreen).toBe(true);
    stop();
    win.setFullScreen(false);
    win.close();
    expect(readWindowState(file).state?.fullScreen).toBe(true);
  });

  it('a write that fails is said once, in one line, and never thrown from the timer', () => {
    vi.useFakeTimers();
    // A file where the directory should be: refused for root too, unlike a read-only directory.
    const notADir = join(dir, 'not-a-dir');
    writeFileSync(notADir, '');
    const win = window();
    const warnings: string[] = [];
    trackWindowState(win, join(notADir, 'window-state.json'), (line) => warnings.push(line));
    win.setBounds({ x: 10 });
    expect(() => vi.advanceTimersByTime(SAVE_DELAY_MS)).not.toThrow();
    win.setBounds({ x: 20 });
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    win.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^the window's size and place cannot be saved to .*not-a-dir\/window-state\.json: E(EXIST|NOTDIR)\b/);
    expect(warnings[0]).not.toContain('\n');
  });
});

describe('placing', () => {
  it('no file: the default size, centred (no x or y, so Electron centres it)', () => {
    expect(readWindowState(file)).toEqual({ state: null, problem: null });
    expect(placeWindow(null, [LAPTOP], SIZE)).toEqual({ bounds: { width: 1360, height: 860 }, maximized: false, fullScreen: false });
  });

  it('a place on a monitor that was unplugged: the default size, centred on what is left', () => {
    const onRight = saved({ bounds: { x: 2000, y: 200, width: 1800, height: 1100 } });
    expect(placeWindow(onRight, [LAPTOP, RIGHT_MONITOR], SIZE).bounds).toEqual({ x: 2000, y: 200, width: 1800, height: 1100 });
    expect(placeWindow(onRight, [LAPTOP], SIZE).bounds).toEqual({ width: 1360, height: 860 });
    // Through the stand-in's BrowserWindow: no x/y means centred on the display that is left.
    const win = window([LAPTOP]);
    expect(win.bounds).toEqual({ x: 40, y: 8, width: 1360, height: 860 });
  });

  it('the title bar must be on a screen: a window pushed above the top or almost off a side is not restored', () => {
    const areas = [LAPTOP];
    const at = (x: number, y: number) => visibleOn({ x, y, width: 1000, height: 700 }, areas);
    expect(at(100, 100)).toEqual(LAPTOP);
    expect(at(-900, 100)).toEqual(LAPTOP); // 100 px of title bar left on screen
    expect(at(-901, 100)).toBeUndefined();
    expect(at(1340, 100)).toEqual(LAPTOP);
    expect(at(1341, 100)).toBeUndefined();
    expect(at(100, -8)).toEqual(LAPTOP); // Windows' invisible frame
    expect(at(100, -40)).toBeUndefined(); // title bar above the screen
    expect(at(100, 875 - 32)).toEqual(LAPTOP);
    expect(at(100, 875 - 31)).toBeUndefined(); // title bar below the screen's usable part
  });

  it('keeps the minimum size and fits the display the window is on', () => {
    expect(placeWindow(saved({ bounds: { x: 10, y: 10, width: 300, height: 200 } }), [LAPTOP], SIZE).bounds).toEqual({ x: 10, y: 10, width: 900, height: 600 });
    expect(placeWindow(saved({ bounds: { x: 10, y: 10, width: 2500, height: 1400 } }), [LAPTOP], SIZE).bounds).toEqual({ x: 10, y: 10, width: 1440, height: 875 });
  });

  it('a maximized window that lost its monitor opens maximized where it can', () => {
    const state = saved({ bounds: { x: 3000, y: 100, width: 1400, height: 900 }, maximized: true, fullScreen: true });
    expect(placeWindow(state, [LAPTOP], SIZE)).toEqual({ bounds: { width: 1360, height: 860 }, maximized: true, fullScreen: false });
  });
});

describe('a bad file is ignored with one line, never a crash', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"version":1,', /is not JSON; ignored$/],
    ['empty', '', /is not JSON; ignored$/],
    ['another version', JSON.stringify({ version: 2, bounds: { x: 0, y: 0, width: 1000, height: 700 }, maximized: false, fullScreen: false }), /: version: .*; ignored$/],
    ['a string for a number', JSON.stringify({ version: 1, bounds: { x: '0', y: 0, width: 1000, height: 700 }, maximized: false, fullScreen: false }), /: bounds\.x: .*; ignored$/],
    ['a huge coordinate', JSON.stringify({ version: 1, bounds: { x: 1e300, y: 0, width: 1000, height: 700 }, maximized: false, fullScreen: false }), /: bounds\.x: .*; ignored$/],
    ['a fraction', JSON.stringify({ version: 1, bounds: { x: 0.5, y: 0, width: 1000, height: 700 }, maximized: false, fullScreen: false }), /: bounds\.x: .*; ignored$/],
    ['a negative width', JSON.stringify({ version: 1, bounds: { x: 0, y: 0, width: -5, height: 700 }, maximized: false, fullScreen: false }), /: bounds\.width: .*; ignored$/],
    ['an array', '[1,2,3]', /: the file: .*; ignored$/],
    ['null', 'null', /: the file: .*; ignored$/],
    ['maximized as a string', JSON.stringify({ version: 1, bounds: { x: 0, y: 0, width: 1000, height: 700 }, maximized: 'yes', fullScreen: false }), /: maximized: .*; ignored$/],
  ];
  for (const [name, text, problem] of cases) {
    it(name, () => {
      writeFileSync(file, text);
      const read = readWindowState(file);
      expect(read.state).toBeNull();
      expect(read.problem).toMatch(problem);
      expect(read.problem).not.toContain('\n');
      expect(placeWindow(read.state, [LAPTOP], SIZE).bounds).toEqual({ width: 1360, height: 860 });
    });
  }

  it('extra keys (a __proto__ among them) are dropped, the rest used', () => {
    writeFileSync(file, '{"version":1,"bounds":{"x":5,"y":6,"width":1000,"height":700,"__proto__":{"polluted":true}},"maximized":false,"fullScreen":false,"evil":"x"}');
    const { state } = readWindowState(file);
    expect(state).toEqual(saved({ bounds: { x: 5, y: 6, width: 1000, height: 700 } }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a directory, a device behind a symlink, a file too big: not read at all', () => {
    mkdirSync(file);
    expect(readWindowState(file).problem).toMatch(/is not a regular file; ignored$/);
    rmSync(file, { recursive: true });
    if (existsSync('/dev/zero')) {
      symlinkSync('/dev/zero', file);
      expect(readWindowState(file).problem).toMatch(/is not a regular file; ignored$/);
      rmSync(file);
    }
    writeFileSync(file, ' '.repeat(70 * 1024));
    expect(readWindowState(file).problem).toMatch(/is 71680 bytes, too big for a window state; ignored$/);
  });
});
