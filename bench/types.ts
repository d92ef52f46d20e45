// The contract between bench/run.ts and the benchmark modules it runs in sequence.

/** One number a benchmark reports. */
export interface Figure {
  /** Short label for the table ("engine / bare CPU ratio"). */
  name: string;
  value: number;
  /** "ms", "×", "ms/poll", "MB", … */
  unit: string;
  /** When given, the figure passes if value ≤ max (shown in the table, failing ones are flagged). */
  goal?: { max: number };
}

export interface BenchResult {
  figures: Figure[];
  /** Raw measurements (every run, not just the medians), written to bench-results/latest.json. */
  details?: Record<string, unknown>;
  /** Anything a reader of the table should know (odd readings, what was compared). */
  notes?: string[];
}

export interface Benchmark {
  name: string;
  run: () => Promise<BenchResult>;
  /** Runs only when named on the command line (diagnostics too slow for every run). */
  optional?: boolean;
}
