#!/usr/bin/env node
// The CLI runs the JavaScript bundle built at install (out/cli/entry.js, by scripts/build-node.mjs),
// rebuilt first if a source is newer: no TypeScript compiler at run time. `serve` hands the web
// console to browsers: its renderer is built first too, as `npm run web` does (an install builds
// only the Node bundles, and serve answered every page with 503 until something else built it).
import { bundle, ensureRenderer } from './bundle.js';

const cli = bundle('cli');
if (process.argv[2] === 'serve' && !process.argv.includes('--help') && !process.argv.includes('-h')) ensureRenderer();
await import(cli);
