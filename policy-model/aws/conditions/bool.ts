/**
 * Bool and BinaryEquals.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
 */
import { joinParts, type OperatorFamily } from './family.js';

/** Parses `true` / `false` (any case), or `undefined`. */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/** Bool: the request value is `true` or `false` and equals the policy value. */
export const bool: OperatorFamily<boolean> = {
  invalidCode: 'invalid_boolean',
  parse: (parts) => parseBoolean(joinParts(parts)),
  test: (value, expected) => parseBoolean(value) === expected,
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** BinaryEquals: both sides are base64; compared byte for byte. */
export const binaryEquals: OperatorFamily<string> = {
  invalidCode: 'invalid_condition',
  parse: (parts) => {
    const text = joinParts(parts).trim();
    return BASE64.test(text) ? text : undefined;
  },
  test: (value, expected) => value.trim() === expected,
};
