// `electron-vite build`: main (ESM), a CommonJS preload (a sandboxed preload cannot be an ES
// module) and the renderer, whose config is shared with the web mode's build. Vite writes
// import.meta.env.DEV into main as a literal: true under `electron-vite dev`, false under
// `electron-vite build` whatever --mode says; electron/main/build-mode.ts reads it to decide
// whether ELECTRON_RENDERER_URL and the developer menu items count.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: resolve(projectRoot, 'out/main'),
      rolldownOptions: { input: { index: resolve(projectRoot, 'electron/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only 'electron' (and a few of Node's modules): every
      // dependency (zod, through the channel table) must be bundled in, not left to require().
      externalizeDeps: false,
      outDir: resolve(projectRoot, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(projectRoot, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
