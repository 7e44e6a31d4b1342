/**
 * Compiling and evaluating one condition (operator, key, values). Several values of one key are
 * OR'ed; several keys and several operators are AND'ed by the caller.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 */
import type { PolicyErrorCode } from '../issue-codes.js';
import type { RequestContext } from '../request.js';
import { parseTemplate, resolveTemplate, type ValueTemplate } from '../variables.js';
import { parseBoolean } from './bool.js';
import { parseOperatorName, type ParsedOperator } from './operators.js';

/** A policy value: parsed once when it holds no variable, otherwise parsed per request. */
type CompiledValue =
  | { readonly kind: 'static'; readonly parsed: unknown }
  | { readonly kind: 'template'; readonly template: ValueTemplate };

/** One compiled condition. */
export interface CompiledCondition {
  readonly operator: string;
  readonly keyText: string;
  readonly key: string;
  readonly values: readonly string[];
  readonly parsed: ParsedOperator;
  readonly compiled: readonly CompiledValue[];
}

/** A problem found while compiling a condition. */
export interface ConditionProblem {
  readonly code: PolicyErrorCode;
  readonly message: string;
  /** Index of the offending value, when one value is at fault. */
  readonly valueIndex?: number;
}

/** Compiles one (operator, key, values) triple. */
export function compileCondition(
  operator: string,
  keyText: string,
  values: readonly string[],
  substitutesVariables: boolean,
): { ok: true; value: CompiledCondition } | { ok: false; problem: ConditionProblem } {
  const parsed = parseOperatorName(operator);
  if (!parsed)
    return {
      ok: false,
      problem: {
        code: 'unknown_condition_operator',
        message: `\`${operator}\` is not a condition operator`,
      },
    };
  const compiled: CompiledValue[] = [];
  for (const [valueIndex, value] of values.entries()) {
    if (parsed.kind === 'null') {
      if (parseBoolean(value) === undefined) {
        return {
          ok: false,
          problem: {
            code: 'invalid_boolean',
            message: `\`Null\` takes \`true\` or \`false\`, not \`${value}\``,
            valueIndex,
          },
        };
      }
      compiled.push({ kind: 'static', parsed: parseBoolean(value) });
      continue;
    }
    const template = parseTemplate(value, substitutesVariables);
    if (!template.ok)
      return {
        ok: false,
        problem: { code: 'invalid_policy_variable', message: template.message, valueIndex },
      };
    if (template.value.hasVariables) {
      compiled.push({ kind: 'template', template: template.value });
      continue;
    }
    const family = parsed.base.family;
    const parsedValue = family.parse([{ text: value, literal: false }]);
    if (parsedValue === undefined) {
      return {
        ok: false,
        problem: {
          code: family.invalidCode,
          message: `\`${value}\` is not a valid value for \`${operator}\``,
          valueIndex,
        },
      };
    }
    compiled.push({ kind: 'static', parsed: parsedValue });
  }
  return {
    ok: true,
    value: { operator, keyText, key: keyText.toLowerCase(), values, parsed, compiled },
  };
}

/** True when one request value satisfies the positive comparison against any policy value. */
function anyPolicyValueMatches(
  condition: CompiledCondition,
  requestValue: string,
  context: RequestContext,
): boolean {
  const parsed = condition.parsed;
  if (parsed.kind !== 'compare') return false;
  const family = parsed.base.family;
  for (const value of condition.compiled) {
    let policyValue: unknown;
    if (value.kind === 'static') policyValue = value.parsed;
    else {
      const parts = resolveTemplate(value.template, context);
      // A variable with no value and no default makes this value match nothing.
      if (parts === undefined) continue;
      policyValue = family.parse(parts);
      if (policyValue === undefined) continue;
    }
    if (family.test(requestValue, policyValue)) return true;
  }
  return false;
}

/** Evaluates one condition against the request. */
export function evaluateCondition(condition: CompiledCondition, context: RequestContext): boolean {
  const values = context.get(condition.key);
  const missing = values === undefined || values.length === 0;
  const parsed = condition.parsed;
  if (parsed.kind === 'null') {
    // Null: true asks for the key to be absent, false for it to be present.
    return condition.compiled.some((v) => v.kind === 'static' && v.parsed === missing);
  }
  if (missing) {
    if (parsed.ifExists) return true;
    if (parsed.set === 'for-all-values') return true;
    if (parsed.set === 'for-any-value') return false;
    // A negated operator is satisfied by a missing key: nothing equals the policy values.
    return parsed.base.negated;
  }
  const negated = parsed.base.negated;
  const one = (v: string): boolean => anyPolicyValueMatches(condition, v, context) !== negated;
  switch (parsed.set) {
    case 'for-all-values':
      return values.every(one);
    case 'for-any-value':
      return values.some(one);
    case 'single':
      // A plain operator over several request values: positive operators need one value to
      // match, negated operators need no value to match.
      return negated
        ? !values.some((v) => anyPolicyValueMatches(condition, v, context))
        : values.some(one);
  }
}
