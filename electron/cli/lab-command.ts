import { Lab, docsLayout } from '../lab/lab';

/** `replication-console lab`: a local topology for trying the console, stopped with Ctrl-C. */
export async function runLab(): Promise<number> {
  const lab = await Lab.start({ nodes: docsLayout() });
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
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
