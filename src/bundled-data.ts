/**
 * Data files shipped in the repository (catalog extras, managed policies, the CloudTrail action
 * map), found from the running module: `src/` when tests run the sources, `dist/src/` when built.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Parses a JSON file given relative to the repository root; undefined when it is not there. */
export function readBundledJson(pathFromRoot: string): unknown {
  for (const up of ['../../', '../']) {
    try {
      return JSON.parse(
        readFileSync(fileURLToPath(new URL(`${up}${pathFromRoot}`, import.meta.url)), 'utf8'),
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return undefined;
}
