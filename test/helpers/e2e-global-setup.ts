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

let renderer: BuiltRenderer | undefined;

export async function setup(project: TestProject): Promise<void> {
  renderer = await buildRendererTo('rc-e2e-renderer-');
  project.provide('rendererDir', renderer.dir);
}

export async function teardown(): Promise<void> {
  await renderer?.remove();
}
