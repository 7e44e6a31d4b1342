/**
 * The sensitive-action tags of iam-dataset (fixtures/iam-dataset, MIT; derived from
 * primeharbor/sensitive_iam_actions, CC0): which actions expose credentials, read data, escalate
 * privileges or expose resources.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SensitiveActionTags } from '../policy-model/index.js';

let cached: SensitiveActionTags | undefined;

/** The tags, loaded on first use (empty lists when the data file is missing). */
export function loadSensitiveActionTags(): SensitiveActionTags {
  if (cached) return cached;
  for (const candidate of [
    '../../fixtures/iam-dataset/aws-sensitive-action-tags.json',
    '../fixtures/iam-dataset/aws-sensitive-action-tags.json',
  ]) {
    try {
      const data = JSON.parse(
        readFileSync(fileURLToPath(new URL(candidate, import.meta.url)), 'utf8'),
      ) as { iam_lower: SensitiveActionTags };
      cached = data.iam_lower;
      return cached;
    } catch {
      // try the next location (source tree or build output)
    }
  }
  cached = { CredentialExposure: [], DataAccess: [], PrivEsc: [], ResourceExposure: [] };
  return cached;
}
