// The e2e project's global setup: the production renderer is built once per run and shared by
// every e2e file (each used to build its own: about 20 s a file on this machine).
import type { TestProject } from 'vitest/node';
import { buildRendererTo, type BuiltRenderer } from './browser';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The renderer built for this run, or '' when an e2e file runs outside this setup. */
    rendererDir: string;
  }
}

// Both e2e projects (e2e, e2e-timed) name this setup: one build for the run, removed by the last teardown.
const shared = globalThis as typeof globalThis & { rcE2eRenderer?: { built: Promise<BuiltRenderer>; users: number } };

export async function setup(project: TestProject): Promise<void> {
  shared.rcE2eRenderer ??= { built: buildRendererTo('rc-e2e-renderer-'), users: 0 };
  shared.rcE2eRenderer.users += 1;
  project.provide('rendererDir', (await shared.rcE2eRenderer.built).dir);
}

export async function teardown(): Promise<void> {
  const entry = shared.rcE2eRenderer;
  if (!entry || --entry.users > 0) return;
  shared.rcE2eRenderer = undefined;
  await (await entry.built).remove();
}
