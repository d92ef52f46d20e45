import { Lab, LabError, docsLayout } from '../lab/lab';
import { clean } from './output';

/** `replication-console lab`: a local topology for trying the console, stopped with Ctrl-C (or SIGTERM, SIGHUP). */
export async function runLab(): Promise<number> {
  let lab: Lab;
  try {
    lab = await Lab.start({ nodes: docsLayout() });
  } catch (error) {
    // No redis-server, no free port, a node that would not start: the lab's own words, not an internal error.
    if (!(error instanceof LabError)) throw error;
    console.error(clean(`replication-console: cannot start the lab: ${error.message}`));
    return 1;
  }
  const describe: Record<string, string> = {
    master: 'master',
    'replica-1': `replica of ${lab.address('master')}`,
    'replica-2': `replica of ${lab.address('master')}`,
    'replica-1-1': `replica of ${lab.address('replica-1')} (cascaded)`,
  };
  console.log('Local replication lab (redis-server processes on loopback, data in a temp dir):');
  for (const name of lab.nodeNames) console.log(`  ${lab.address(name).padEnd(18)} ${describe[name] ?? name}`);
  console.log(`\nTry: npx replication-console watch --seed ${lab.address('master')}`);
  console.log('Press Ctrl-C to stop the lab and remove its data.');
  return new Promise((resolve) => {
    const stop = (): void => {
      void lab.close().then(() => resolve(0));
    };
    // Kept for good (not once): while one of ours listens, the lab's own signal hook leaves the
    // exit to us (0, with the data removed) instead of re-raising the signal.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  });
}
