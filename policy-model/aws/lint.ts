/**
 * Warnings against the catalog: what AWS accepts but IAM Access Analyzer would flag. Evaluation
 * goes on. https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
 */
import {
  actionSupportsConditionKey,
  actionsMatching,
  type Catalog,
  type CatalogAction,
} from '../catalog/catalog.js';
import type { Issue } from '../result.js';
import type { PolicyWarningCode } from './issue-codes.js';
import type { Policy } from './policy.js';

/** Lists catalog warnings for a compiled policy; `base` is its JSON pointer, `statementPaths` the statements'. */
export function lintPolicy(
  policy: Policy,
  catalog: Catalog,
  statementPaths: readonly string[],
): Issue<PolicyWarningCode>[] {
  const warnings: Issue<PolicyWarningCode>[] = [];
  for (const statement of policy.statements) {
    const at = statementPaths[statement.index] ?? '';
    const element = statement.actions.kind === 'action' ? 'Action' : 'NotAction';
    const matched: CatalogAction[] = [];
    let allKnown = true;
    statement.actions.patterns.forEach((pattern, i) => {
      const path =
        statement.actions.patterns.length === 1 ? `${at}/${element}` : `${at}/${element}/${i}`;
      if (
        pattern.service === '*' ||
        pattern.service.includes('*') ||
        pattern.service.includes('?')
      ) {
        allKnown = false;
        return;
      }
      const service = catalog.services.get(pattern.service);
      if (!service) {
        allKnown = false;
        warnings.push({
          code: 'unknown_service',
          message: `\`${pattern.service}\` is not a known service prefix`,
          path,
        });
        return;
      }
      // A plain name is one lookup; only a wildcard needs the service's every action tested.
      const wildcard = /[*?]/.test(pattern.text);
      const named = wildcard
        ? undefined
        : service.actions.get(pattern.text.slice(pattern.text.indexOf(':') + 1).toLowerCase());
      const actions = wildcard ? actionsMatching(service, pattern.test) : named ? [named] : [];
      if (actions.length === 0) {
        allKnown = false;
        warnings.push({
          code: 'unknown_action',
          message: `\`${pattern.text}\` matches no action of \`${service.prefix}\``,
          path,
        });
      }
      matched.push(...actions);
    });
    // Only an Action list fully resolved through the catalog says which keys the statement may use.
    if (statement.actions.kind !== 'action' || !allKnown || matched.length === 0) continue;
    for (const condition of statement.conditions) {
      const key = condition.key;
      if (key.startsWith('aws:')) continue;
      const prefix = key.slice(0, key.indexOf(':'));
      if (!catalog.services.has(prefix)) continue;
      if (!matched.some((a) => actionSupportsConditionKey(a, key))) {
        warnings.push({
          code: 'unsupported_condition_key',
          message: `no action in this statement supports the condition key \`${condition.keyText}\``,
          path: `${at}/Condition`,
        });
      }
    }
  }
  return warnings;
}
