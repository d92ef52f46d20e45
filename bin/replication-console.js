#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so it works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/entry.ts');
