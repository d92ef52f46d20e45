#!/usr/bin/env node
// The CLI runs the JavaScript bundle built at install (out/cli/entry.js, by scripts/build-node.mjs),
// rebuilt first if a source is newer: no TypeScript compiler at run time.
import { bundle } from './bundle.js';

await import(bundle('cli'));
