// The renderer build, shared by the web mode (`vite build --config vite.renderer.config.ts`)
// and the Electron build (electron.vite.config.ts reuses rendererConfig).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));
// The Vite root is renderer/, but a svelte.config.js belongs at the project root, where the
// vitest renderer project finds it too.
const svelteConfig = resolve(projectRoot, 'svelte.config.js');

export const rendererConfig = {
  root: resolve(projectRoot, 'renderer'),
  // Relative asset URLs work both from file:// (Electron) and http://127.0.0.1 (web mode).
  base: './',
  plugins: [svelte(existsSync(svelteConfig) ? { configFile: svelteConfig } : {})],
  build: {
    outDir: resolve(projectRoot, 'out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One ~900 kB bundle (Svelte Flow, Chart.js, html-to-image) loaded from disk or loopback:
    // splitting it would add requests and buy nothing, so the default 500 kB warning is only noise
    // here. The SVG export's dom-to-svg (with postcss, ~95 kB) is a chunk of its own, loaded when
    // asked for (graph-export.ts).
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      input: resolve(projectRoot, 'renderer/index.html'),
      // Rolldown's note that the Svelte compiler takes most of the build printed itself, at warn
      // level, between `npm run web` and the console's URL: a note for bundler authors, not users.
      checks: { bundlerTimings: false },
    },
  },
} satisfies UserConfig;

export default defineConfig(rendererConfig);
