/** The shipped CloudTrail event → IAM action map (usage/data/cloudtrail-action-map.json). */
import { loadActionMap, type ActionMap } from '../usage/cloudtrail/to-action.js';
import { readBundledJson } from './bundled-data.js';

let cached: ActionMap | undefined;

/** The action map, loaded on first use. */
export function loadCloudTrailActionMap(): ActionMap {
  if (cached) return cached;
  const json = readBundledJson('usage/data/cloudtrail-action-map.json');
  if (json === undefined) throw new Error('usage/data/cloudtrail-action-map.json is missing');
  cached = loadActionMap(json);
  return cached;
}
