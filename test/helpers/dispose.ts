// Whatever a test starts (labs, engines, harnesses) is closed after that test, newest first,
// even when the test fails: one line per resource instead of a let and an afterEach per file.
import { afterEach } from 'vitest';

type Disposable = { close(): Promise<void> } | { disconnect(): Promise<void> };

/** Returns `own(resource)`: registers the resource for disposal after the current test and returns it. */
export function disposeAfterEach(): <T extends Disposable>(resource: T) => T {
  const owned: Disposable[] = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    for (const resource of owned.splice(0).reverse()) {
      try {
        await ('close' in resource ? resource.close() : resource.disconnect());
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
  return (resource) => {
    owned.push(resource);
    return resource;
  };
}
