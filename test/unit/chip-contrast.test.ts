// The status chips (LIVE, In sync, MASTER, Warning, …) are 11 px text on a tinted background: each
// pair must read at 4.5:1 (WCAG AA for small text) in both themes, from the colours app.css sets.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../renderer/src/app.css', import.meta.url), 'utf8').replace(/\/\*[^]*?\*\//g, '');

/** The custom properties a selector's block sets (the first block for that selector). */
function variables(selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`);
  const block = css.slice(start, css.indexOf('}', start));
  return new Map([...block.matchAll(/--([\w-]+):\s*([^;]+);/g)].map((m) => [m[1] as string, (m[2] as string).trim()]));
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

const light = variables(':root');
const dark = new Map([...light, ...variables(":root[data-theme='dark']")]);
const PAIRS: [string, string][] = [
  ['ok', 'ok-soft'],
  ['warn', 'warn-soft'],
  ['bad', 'bad-soft'],
  ['sync', 'sync-soft'],
  ['info', 'info-soft'],
  ['accent-chip', 'accent-soft'],
];

describe('chip text contrast', () => {
  for (const [theme, vars] of [['light', light], ['dark', dark]] as const) {
    it(`every chip reads at 4.5:1 or more (${theme}); LIVE and MASTER measured 4.29 and 4.15 in light`, () => {
      const resolve = (name: string): string => {
        const value = vars.get(name) ?? '';
        const ref = /^var\(--([\w-]+)\)$/.exec(value);
        return ref ? resolve(ref[1] as string) : value;
      };
      for (const [text, background] of PAIRS) {
        const ratio = contrast(resolve(text), resolve(background));
        expect(ratio, `${theme} --${text} on --${background}: ${resolve(text)} on ${resolve(background)}`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }
});
