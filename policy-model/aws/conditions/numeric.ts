/**
 * Numeric operators compare integers and decimals.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
 */
import { comparisonFamily, type OperatorFamily } from './family.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a decimal number, or `undefined`. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : undefined;
}

/** Builds a numeric family from a comparison. */
function numeric(compare: (value: number, expected: number) => boolean): OperatorFamily<number> {
  return comparisonFamily('invalid_number', parseNumber, compare);
}

/** NumericEquals; negated, NumericNotEquals. */
export const numericEquals = numeric((a, b) => a === b);
/** NumericLessThan. */
export const numericLessThan = numeric((a, b) => a < b);
/** NumericLessThanEquals. */
export const numericLessThanEquals = numeric((a, b) => a <= b);
/** NumericGreaterThan. */
export const numericGreaterThan = numeric((a, b) => a > b);
/** NumericGreaterThanEquals. */
export const numericGreaterThanEquals = numeric((a, b) => a >= b);
