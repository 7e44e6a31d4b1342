/**
 * The compiled file of a worker thread of this folder. Under vitest these modules run from
 * their TypeScript source, which a worker cannot load: the worker then comes from the build
 * (`npm test` builds first).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `.js` file of the worker module `name` (e.g. `query-worker`), next to this module's build. */
export function workerFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return join(dirname(here), `${name}.js`);
  return here
    .replace(
      /([\\/])src([\\/])service([\\/])worker-file\.ts$/,
      '$1dist$1src$2service$3worker-file.ts',
    )
    .replace(/worker-file\.ts$/, `${name}.js`);
}
