/**
 * The AWS policy JSON as a user wrote it (the input type). The evaluator never reads this:
 * `parsePolicy()` turns it into the normalized `Policy` of `policy.ts`.
 * See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
export type StringOrList = string | readonly string[];

/** A `Principal` or `NotPrincipal` element as written. */
export type PrincipalElement =
  | '*'
  | {
      readonly AWS?: StringOrList;
      readonly Service?: StringOrList;
      readonly Federated?: StringOrList;
      readonly CanonicalUser?: StringOrList;
    };

/** A condition value as written: JSON scalars are accepted and compared as strings. */
export type ConditionScalar = string | number | boolean;

/** `{ operator: { key: value | values } }`. */
export type ConditionElement = Readonly<
  Record<string, Readonly<Record<string, ConditionScalar | readonly ConditionScalar[]>>>
>;

/** One statement as written. */
export interface StatementDocument {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Action?: StringOrList;
  readonly NotAction?: StringOrList;
  readonly Resource?: StringOrList;
  readonly NotResource?: StringOrList;
  readonly Condition?: ConditionElement;
}

/** A policy document as written. */
export interface PolicyDocument {
  readonly Version?: '2012-10-17' | '2008-10-17';
  readonly Id?: string;
  readonly Statement: StatementDocument | readonly StatementDocument[];
}
