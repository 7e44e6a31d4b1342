/**
 * Stage 2, semantics: what the JSON Schema cannot say. Both Action and NotAction, an unknown
 * Effect, a malformed ARN or CIDR, a principal where none is allowed, duplicate Sids …
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
import { pointer, type Issue } from '../result.js';
import { compileCondition } from './conditions/condition.js';
import type { PolicyDocument, StatementDocument } from './document.js';
import {
  asList,
  conditionValues,
  isValidActionSyntax,
  principalElementOf,
  principalPatterns,
  statementList,
} from './elements.js';
import type { PolicyErrorCode } from './issue-codes.js';
import type { PolicyKind } from './policy.js';
import { parseResourceTemplate } from './variables.js';

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

/**
 * `*`, an ARN (six colon-separated parts, the last possibly empty, as in AWS's own
 * `arn:aws:organizations::*:`), or a shorter ARN pattern with a `*` (`arn:aws:kms:*`,
 * `arn:aws:sqs:u*q`): a `*` expands across colons.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
function isResourceSyntax(resource: string): boolean {
  if (resource === '*') return true;
  if (!/^arn:[^:]+:/.test(resource)) return false;
  return resource.split(':').length >= 6 || resource.includes('*');
}

/** Checks the semantics of a shape-valid document; `base` is its JSON pointer. */
export function validateDocument(
  doc: PolicyDocument,
  kind: PolicyKind,
  base: string,
): Issue<PolicyErrorCode>[] {
  const issues: Issue<PolicyErrorCode>[] = [];
  if (doc.Version !== undefined && !VERSIONS.has(doc.Version)) {
    issues.push({
      code: 'invalid_version',
      message: `\`${doc.Version}\` is not a policy language version (use \`2012-10-17\`)`,
      path: `${base}/Version`,
    });
  }
  const substitutes = doc.Version === '2012-10-17';
  const seenSids = new Map<string, number>();
  const statements = statementList(doc.Statement) as readonly StatementDocument[];
  statements.forEach((s, i) => {
    const at = Array.isArray(doc.Statement) ? `${base}/Statement/${i}` : `${base}/Statement`;
    if (s.Sid !== undefined && s.Sid !== '') {
      if (seenSids.has(s.Sid))
        issues.push({
          code: 'duplicate_sid',
          message: `Sid \`${s.Sid}\` is already used by statement ${seenSids.get(s.Sid)}`,
          path: `${at}/Sid`,
        });
      else seenSids.set(s.Sid, i);
    }
    issues.push(...validateStatement(s, kind, at, substitutes));
  });
  return issues;
}

function validateStatement(
  s: StatementDocument,
  kind: PolicyKind,
  at: string,
  substitutes: boolean,
): Issue<PolicyErrorCode>[] {
  const issues: Issue<PolicyErrorCode>[] = [];
  const add = (code: PolicyErrorCode, message: string, path: string): void => {
    issues.push({ code, message, path });
  };
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
    add('invalid_effect', `\`${s.Effect}\` is not \`Allow\` or \`Deny\``, `${at}/Effect`);

  // Action / NotAction: exactly one.
  if (s.Action !== undefined && s.NotAction !== undefined)
    add('action_and_not_action', 'a statement has either `Action` or `NotAction`, not both', at);
  else if (s.Action === undefined && s.NotAction === undefined)
    add('missing_action', 'a statement needs `Action` or `NotAction`', at);
  for (const name of ['Action', 'NotAction'] as const) {
    const value = s[name];
    asList(value).forEach((action, i) => {
      if (!isValidActionSyntax(action)) {
        add(
          'invalid_action',
          `\`${action}\` is not \`*\` or \`service:action\``,
          typeof value === 'string' ? `${at}/${name}` : `${at}/${name}/${i}`,
        );
      }
    });
  }

  // Resource / NotResource: exactly one, except that a resource policy may omit both.
  if (s.Resource !== undefined && s.NotResource !== undefined)
    add(
      'resource_and_not_resource',
      'a statement has either `Resource` or `NotResource`, not both',
      at,
    );
  else if (s.Resource === undefined && s.NotResource === undefined && kind !== 'resource')
    add('missing_resource', 'a statement needs `Resource` or `NotResource`', at);
  for (const name of ['Resource', 'NotResource'] as const) {
    const value = s[name];
    asList(value).forEach((resource, i) => {
      const path = typeof value === 'string' ? `${at}/${name}` : `${at}/${name}/${i}`;
      const template = parseResourceTemplate(resource, substitutes);
      if (!template.ok) add('invalid_policy_variable', template.message, path);
      else if (!isResourceSyntax(resource))
        add(
          'invalid_arn',
          `\`${resource}\` is not \`*\` or an ARN (arn:partition:service:region:account:resource)`,
          path,
        );
    });
  }

  // Principal / NotPrincipal: required in resource policies, forbidden where the principal is implied.
  const principal = principalElementOf(s);
  if (s.Principal !== undefined && s.NotPrincipal !== undefined)
    add(
      'principal_and_not_principal',
      'a statement has either `Principal` or `NotPrincipal`, not both',
      at,
    );
  else if (principal && kind !== 'resource' && kind !== 'rcp') {
    add(
      'principal_not_allowed',
      `\`${principal.name}\` is not allowed in ${kind === 'scp' ? 'a service control policy' : 'a policy attached to an identity or session'}`,
      `${at}/${principal.name}`,
    );
  } else if (!principal && kind === 'resource')
    add(
      'missing_principal',
      'a resource-based policy statement needs `Principal` or `NotPrincipal`',
      at,
    );
  if (principal && (kind === 'resource' || kind === 'rcp')) {
    for (const { pattern, text, suffix } of principalPatterns(principal.element)) {
      const path = `${at}/${principal.name}${suffix}`;
      if (!pattern) add('invalid_principal', `\`${text}\` is not a valid principal`, path);
      else if (kind === 'rcp' && pattern.kind !== 'everyone')
        add('invalid_principal', 'a resource control policy only takes the principal `*`', path);
    }
  }

  // Conditions: known operators and values each operator can parse.
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const values = conditionValues(value);
      const compiled = compileCondition(operator, key, values, substitutes);
      if (compiled.ok) continue;
      const { problem } = compiled;
      const keyPath = pointer(`${at}/Condition`, operator, key);
      const path =
        problem.code === 'unknown_condition_operator'
          ? pointer(`${at}/Condition`, operator)
          : problem.valueIndex !== undefined && Array.isArray(value)
            ? `${keyPath}/${problem.valueIndex}`
            : keyPath;
      add(problem.code, problem.message, path);
    }
  }
  return issues;
}
