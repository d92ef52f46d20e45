// Types for what TypeScript code (the benchmarks) imports from build-node.mjs.
import type { BuildOptions } from 'esbuild';

export function nodeBundleOptions(): BuildOptions;
export function buildNode(options?: { names?: string[]; prune?: boolean }): Promise<void>;
export function firstError(error: unknown): string;
