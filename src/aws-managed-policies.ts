/**
 * The bundled AWS managed policies (fixtures/aws-managed-policies, MIT, see its PROVENANCE.md):
 * used when an export references an AWS managed policy without including its document.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: Map<string, unknown> | undefined;

/** AWS managed policy documents by ARN, loaded on first use. */
export function loadAwsManagedPolicies(): ReadonlyMap<string, unknown> {
  if (cached) return cached;
  // From dist/src/ or src/, the repository root is two or one levels up; try both.
  const candidates = [
    '../../fixtures/aws-managed-policies/aws-managed-policies-latest.json',
    '../fixtures/aws-managed-policies/aws-managed-policies-latest.json',
  ];
  for (const candidate of candidates) {
    try {
      const data = JSON.parse(
        readFileSync(fileURLToPath(new URL(candidate, import.meta.url)), 'utf8'),
      ) as Record<string, { arn: string; document: unknown }>;
      cached = new Map(Object.values(data).map((p) => [p.arn, p.document]));
      return cached;
    } catch {
      // try the next location
    }
  }
  cached = new Map();
  return cached;
}
