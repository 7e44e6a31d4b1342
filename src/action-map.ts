/** The shipped CloudTrail event → IAM action map (usage/data/cloudtrail-action-map.json). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadActionMap, type ActionMap } from '../usage/cloudtrail/to-action.js';

let cached: ActionMap | undefined;

/** The action map, loaded on first use. */
export function loadCloudTrailActionMap(): ActionMap {
  if (cached) return cached;
  // From dist/src/ the data is two folders up; from src/ (tests) one.
  for (const candidate of [
    '../../usage/data/cloudtrail-action-map.json',
    '../usage/data/cloudtrail-action-map.json',
  ]) {
    try {
      cached = loadActionMap(
        JSON.parse(readFileSync(fileURLToPath(new URL(candidate, import.meta.url)), 'utf8')),
      );
      return cached;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error('usage/data/cloudtrail-action-map.json is missing');
}
