/**
 * The sensitive-action tags of iam-dataset (fixtures/iam-dataset, MIT; derived from
 * primeharbor/sensitive_iam_actions, CC0): which actions expose credentials, read data, escalate
 * privileges or expose resources.
 */
import type { SensitiveActionTags } from '../policy-model/index.js';
import { readBundledJson } from './bundled-data.js';

let cached: SensitiveActionTags | undefined;

/** The tags, loaded on first use (empty lists when the data file is missing). */
export function loadSensitiveActionTags(): SensitiveActionTags {
  if (cached) return cached;
  const data = readBundledJson('fixtures/iam-dataset/aws-sensitive-action-tags.json') as
    { iam_lower: SensitiveActionTags } | undefined;
  cached = data?.iam_lower ?? {
    CredentialExposure: [],
    DataAccess: [],
    PrivEsc: [],
    ResourceExposure: [],
  };
  return cached;
}
