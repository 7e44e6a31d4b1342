/**
 * The registry of condition operators and the parsing of an operator name into its base operator,
 * `IfExists` suffix and `ForAllValues:` / `ForAnyValue:` set prefix.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import { arnLike } from './arn.js';
import { binaryEquals, bool } from './bool.js';
import {
  dateEquals,
  dateGreaterThan,
  dateGreaterThanEquals,
  dateLessThan,
  dateLessThanEquals,
} from './date.js';
import type { OperatorFamily } from './family.js';
import { ipAddress } from './ip.js';
import {
  numericEquals,
  numericGreaterThan,
  numericGreaterThanEquals,
  numericLessThan,
  numericLessThanEquals,
} from './numeric.js';
import { stringEquals, stringEqualsIgnoreCase, stringLike } from './string.js';

/** A base operator: its comparison and whether it is the negation of that comparison. */
export interface BaseOperator {
  readonly name: string;
  readonly family: OperatorFamily<unknown>;
  readonly negated: boolean;
}

const op = <V>(name: string, family: OperatorFamily<V>, negated = false): BaseOperator => ({
  name,
  family: family as OperatorFamily<unknown>,
  negated,
});

/** Every base operator except `Null`, which is handled on its own (it tests presence, not values). */
export const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map(
  [
    op('StringEquals', stringEquals),
    op('StringNotEquals', stringEquals, true),
    op('StringEqualsIgnoreCase', stringEqualsIgnoreCase),
    op('StringNotEqualsIgnoreCase', stringEqualsIgnoreCase, true),
    op('StringLike', stringLike),
    op('StringNotLike', stringLike, true),
    op('NumericEquals', numericEquals),
    op('NumericNotEquals', numericEquals, true),
    op('NumericLessThan', numericLessThan),
    op('NumericLessThanEquals', numericLessThanEquals),
    op('NumericGreaterThan', numericGreaterThan),
    op('NumericGreaterThanEquals', numericGreaterThanEquals),
    op('DateEquals', dateEquals),
    op('DateNotEquals', dateEquals, true),
    op('DateLessThan', dateLessThan),
    op('DateLessThanEquals', dateLessThanEquals),
    op('DateGreaterThan', dateGreaterThan),
    op('DateGreaterThanEquals', dateGreaterThanEquals),
    op('Bool', bool),
    op('BinaryEquals', binaryEquals),
    op('IpAddress', ipAddress),
    op('NotIpAddress', ipAddress, true),
    op('ArnEquals', arnLike),
    op('ArnLike', arnLike),
    op('ArnNotEquals', arnLike, true),
    op('ArnNotLike', arnLike, true),
  ].map((o) => [o.name, o]),
);

/** How a condition treats the request's values of its key. */
export type SetOperator = 'single' | 'for-all-values' | 'for-any-value';

/** A parsed operator name. */
export type ParsedOperator =
  | { readonly kind: 'null' }
  | {
      readonly kind: 'compare';
      readonly base: BaseOperator;
      readonly ifExists: boolean;
      readonly set: SetOperator;
    };

/** Parses `ForAnyValue:StringLikeIfExists` and the like; `undefined` for an unknown operator. */
export function parseOperatorName(name: string): ParsedOperator | undefined {
  if (name === 'Null') return { kind: 'null' };
  let rest = name;
  let set: SetOperator = 'single';
  if (rest.startsWith('ForAllValues:')) {
    set = 'for-all-values';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'for-any-value';
    rest = rest.slice('ForAnyValue:'.length);
  }
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const base = BASE_OPERATORS.get(rest);
  return base ? { kind: 'compare', base, ifExists, set } : undefined;
}
