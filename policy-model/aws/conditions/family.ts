/**
 * One condition operator family: how a policy value is parsed and how a request value is compared
 * with it. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import type { PolicyErrorCode } from '../issue-codes.js';
import type { ResolvedPart } from '../variables.js';

/** A comparison of one request value against one parsed policy value. */
export interface OperatorFamily<V> {
  /** The error code for a policy value this family cannot parse. */
  readonly invalidCode: PolicyErrorCode;
  /** Parses a policy value (after variable substitution); `undefined` when invalid. */
  readonly parse: (parts: readonly ResolvedPart[]) => V | undefined;
  /** True when the request value satisfies the (positive form of the) operator. */
  readonly test: (requestValue: string, policyValue: V) => boolean;
}

/** Joins resolved parts into the plain text they stand for. */
export function joinParts(parts: readonly ResolvedPart[]): string {
  return parts.length === 1 ? parts[0]!.text : parts.map((p) => p.text).join('');
}

/**
 * A family that compares ordered values (numbers, instants): both sides are parsed the same way
 * and an unparseable request value never matches.
 */
export function comparisonFamily(
  invalidCode: PolicyErrorCode,
  parseText: (text: string) => number | undefined,
  compare: (value: number, expected: number) => boolean,
): OperatorFamily<number> {
  return {
    invalidCode,
    parse: (parts) => parseText(joinParts(parts)),
    test: (value, expected) => {
      const parsed = parseText(value);
      return parsed !== undefined && compare(parsed, expected);
    },
  };
}
