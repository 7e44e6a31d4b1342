/**
 * The one registry of issue codes for AWS policies and simulation cases.
 * Codes are stable: scripts outside this repository match on them.
 */
export const POLICY_ERROR_CODES = [
  'invalid_case',
  'invalid_request',
  'invalid_policy',
  'unknown_element',
  'invalid_type',
  'missing_statement',
  'invalid_version',
  'missing_effect',
  'invalid_effect',
  'missing_action',
  'action_and_not_action',
  'missing_resource',
  'resource_and_not_resource',
  'missing_principal',
  'principal_and_not_principal',
  'principal_not_allowed',
  'invalid_principal',
  'invalid_action',
  'invalid_arn',
  'duplicate_sid',
  'unknown_condition_operator',
  'invalid_condition',
  'invalid_cidr',
  'invalid_date',
  'invalid_number',
  'invalid_boolean',
  'invalid_policy_variable',
] as const;

/** Warnings: what AWS accepts but IAM Access Analyzer would flag. Evaluation goes on. */
export const POLICY_WARNING_CODES = [
  'unknown_service',
  'unknown_action',
  'unsupported_condition_key',
  'missing_version',
  'unknown_case_field',
] as const;

/** A code for input that cannot be evaluated. */
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];
/** A code for input that evaluates but deserves attention. */
export type PolicyWarningCode = (typeof POLICY_WARNING_CODES)[number];
