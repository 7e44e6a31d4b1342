/**
 * The bundled AWS managed policies (fixtures/aws-managed-policies, MIT, see its PROVENANCE.md):
 * used when an export references an AWS managed policy without including its document.
 */
import { readBundledJson } from './bundled-data.js';

let cached: Map<string, unknown> | undefined;

/** AWS managed policy documents by ARN, loaded on first use (empty when the data is missing). */
export function loadAwsManagedPolicies(): ReadonlyMap<string, unknown> {
  if (cached) return cached;
  const data = readBundledJson('fixtures/aws-managed-policies/aws-managed-policies-latest.json') as
    Record<string, { arn: string; document: unknown }> | undefined;
  cached = new Map(Object.values(data ?? {}).map((p) => [p.arn, p.document]));
  return cached;
}
