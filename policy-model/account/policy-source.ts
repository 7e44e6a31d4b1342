/**
 * Policy documents inside exports: JSON objects (AWS CLI) or URL-encoded JSON strings (raw IAM
 * API), parsed and compiled once with their problems located by `file#pointer`.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 */
import { parsePolicy } from '../aws/parse.js';
import type { PolicyKind } from '../aws/policy.js';
import type { Issue } from '../result.js';
import type { PolicySource } from './account.js';

/** Decodes a document given as a URL-encoded string; objects pass through. */
export function decodeDocument(
  document: unknown,
  where: string,
): { ok: true; value: unknown } | { ok: false; issue: Issue } {
  if (typeof document !== 'string') return { ok: true, value: document };
  try {
    return {
      ok: true,
      value: JSON.parse(
        document.includes('%') ? decodeURIComponent(document) : document,
      ) as unknown,
    };
  } catch (e) {
    return {
      ok: false,
      issue: {
        code: 'invalid_policy_encoding',
        message: `the policy document is neither JSON nor URL-encoded JSON: ${e instanceof Error ? e.message : String(e)}`,
        path: where,
      },
    };
  }
}

/** Builds a policy source: decodes, parses and compiles the document, collecting problems. */
export function policySource(
  input: {
    id: string;
    name: string;
    kind: PolicySource['kind'];
    document: unknown;
    where: string;
    policyKind: PolicyKind;
  },
  issues: Issue[],
): PolicySource {
  const decoded = decodeDocument(input.document, input.where);
  if (!decoded.ok) {
    issues.push(decoded.issue);
    return {
      id: input.id,
      name: input.name,
      kind: input.kind,
      document: input.document,
      policy: undefined,
    };
  }
  // Problems point into the file: `file#/UserDetailList/0/UserPolicyList/1/PolicyDocument/Statement/0`.
  // No catalog lint: a snapshot reports errors, not Access Analyzer warnings, and linting 30,000
  // documents took a fifth of the load (bench/effective.bench.ts).
  const parsed = parsePolicy(decoded.value, {
    kind: input.policyKind,
    path: input.where,
    id: input.id,
  });
  if (!parsed.ok) issues.push(...parsed.errors);
  return {
    id: input.id,
    name: input.name,
    kind: input.kind,
    document: decoded.value,
    policy: parsed.ok ? parsed.value : undefined,
  };
}
