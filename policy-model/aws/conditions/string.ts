/**
 * String operators: StringEquals, StringEqualsIgnoreCase, StringLike and their negations. Values
 * are case-sensitive except for the IgnoreCase pair; StringLike takes `*` and `?`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
 */
import { compileGlobParts } from '../wildcard.js';
import { joinParts, type OperatorFamily } from './family.js';

/** StringEquals: exact, case-sensitive. */
export const stringEquals: OperatorFamily<string> = {
  invalidCode: 'invalid_condition',
  parse: joinParts,
  test: (value, expected) => value === expected,
};

/** StringEqualsIgnoreCase: exact, case-insensitive. */
export const stringEqualsIgnoreCase: OperatorFamily<string> = {
  invalidCode: 'invalid_condition',
  parse: (parts) => joinParts(parts).toLowerCase(),
  test: (value, expected) => value.toLowerCase() === expected,
};

/** StringLike: case-sensitive glob; characters from variables and `${*}` are literal. */
export const stringLike: OperatorFamily<(value: string) => boolean> = {
  invalidCode: 'invalid_condition',
  parse: (parts) => compileGlobParts(parts),
  test: (value, glob) => glob(value),
};
