// Real Chromium for the e2e tests and the renderer benchmark: Debian's binary (never a
// downloaded one), with the flags this closed network needs, and the production renderer build.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Screenshots for a human to look at (git-ignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// machine refuses; --no-sandbox because tests run as root.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface BuiltRenderer {
  /** The built renderer, ready for startWebServer({ rendererDir }). */
  dir: string;
  remove(): Promise<void>;
}

/** Build the production renderer (what the web mode and Electron load) into a fresh temp dir. */
export async function buildRendererTo(prefix: string): Promise<BuiltRenderer> {
  const workDir = await mkdtemp(join(tmpdir(), prefix));
  const dir = join(workDir, 'renderer');
  await build({
    configFile: join(ROOT, 'vite.renderer.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, remove: () => rm(workDir, { recursive: true, force: true }) };
}

export interface E2eSetup {
  readonly browser: Browser;
  readonly rendererDir: string;
}

/**
 * For an e2e file: launch Chromium before its tests and close it after. The renderer is the one
 * the e2e project's global setup built for the whole run (test/helpers/e2e-global-setup.ts);
 * only a file run some other way builds its own.
 */
export function useBrowserAndRenderer(prefix: string): E2eSetup {
  let browser: Browser | undefined;
  let renderer: BuiltRenderer | undefined;
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const shared = inject('rendererDir');
    renderer = shared ? { dir: shared, remove: async () => undefined } : await buildRendererTo(prefix);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await renderer?.remove();
  });
  return {
    get browser(): Browser {
      if (!browser) throw new Error('Chromium is not running (beforeAll failed?)');
      return browser;
    },
    get rendererDir(): string {
      if (!renderer) throw new Error('the renderer was not built (beforeAll failed?)');
      return renderer.dir;
    },
  };
}

/** A page at `url` that records every console error and warning, and every uncaught exception. */
export async function openPage(
  browser: Browser,
  url: string,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // Warnings too: Svelte Flow's shortcut library printed a dozen per page, unseen.
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(url);
  return { context, page, problems };
}

/** Fill the connect form (seeds, no user, the password or none) and connect. */
export async function connectThroughForm(page: Page, seeds: string | readonly string[], password = ''): Promise<void> {
  await page.getByTestId('seeds-input').fill(typeof seeds === 'string' ? seeds : seeds.join(', '));
  await page.getByTestId('user-input').fill('');
  await page.getByTestId('password-input').fill(password);
  await page.getByTestId('connect-button').click();
}

/** A node's card in the graph. */
export function card(page: Page, address: string): Locator {
  return page.locator(`[data-testid="node-card-${address}"]`);
}

/**
 * The text of every card row part drawn past its card's right edge. Measured in one go in the
 * page: the rows change as ticks arrive, and a row listed first and measured after was gone (a
 * 30 s wait on a loaded machine).
 */
export async function cardRowsPastEdge(page: Page): Promise<string[]> {
  return page.locator('.card').evaluateAll((cards) =>
    cards.flatMap((card) => {
      const edge = card.getBoundingClientRect();
      return [...card.querySelectorAll('.row > *')].filter((part) => part.getBoundingClientRect().right > edge.right + 0.5).map((part) => part.textContent ?? '');
    }),
  );
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}
