#!/usr/bin/env node
// The web mode's server alone (out/web/cli.js, rebuilt first if a source is newer), with the
// options of `npm run web` but without building the interface: for the tests, and for scripts
// serving an interface already built to out/renderer.
import { bundle } from './bundle.js';

await import(bundle('web'));
