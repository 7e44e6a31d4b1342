/** The policy-model layer's public surface: pure, synchronous, no I/O. */
export type { Issue, Result } from './result.js';
export { POLICY_ERROR_CODES, POLICY_WARNING_CODES } from './aws/issue-codes.js';
export type { PolicyErrorCode, PolicyWarningCode } from './aws/issue-codes.js';
export type { PolicyDocument, StatementDocument } from './aws/document.js';
export type { Policy, PolicyKind, Statement } from './aws/policy.js';
export { parsePolicy } from './aws/parse.js';
export type { ParseOptions } from './aws/parse.js';
export { prepareRequest } from './aws/request.js';
export type { AuthorizationRequest, PreparedRequest } from './aws/request.js';
export { evaluate } from './aws/evaluate.js';
export type {
  EvaluateOptions,
  EvaluationResult,
  Explanation,
  PolicySet,
  StatementExplanation,
} from './aws/evaluate.js';
export { decide } from './aws/decide.js';
export type {
  Decision,
  DecisionFacts,
  DecisionReason,
  DecisionResult,
  StatementRef,
} from './aws/decide.js';
export { parseSimulationCase, simulate } from './aws/simulation.js';
export type { SimulateOptions, SimulationAnswer, SimulationCase } from './aws/simulation.js';
export { buildCatalog } from './catalog/catalog.js';
export type {
  Catalog,
  CatalogAction,
  CatalogService,
  RawCatalogAction,
} from './catalog/catalog.js';
export type {
  Account,
  CredentialReportRow,
  KindReason,
  Organization,
  OrganizationNode,
  PolicySource,
  Principal,
  Snapshot,
} from './account/account.js';
export { buildSnapshot } from './account/snapshot.js';
export type { AccountFiles, SnapshotFiles, SnapshotOptions } from './account/snapshot.js';
export { policyLevels } from './account/organization.js';
export { SNAPSHOT_ISSUE_CODES } from './account/issue-codes.js';
export type { SnapshotIssueCode } from './account/issue-codes.js';
export type { ActionSet } from './catalog/action-set.js';
export {
  addTo,
  count,
  difference,
  emptySet,
  has,
  intersect,
  members,
  union,
  unionInto,
} from './catalog/action-set.js';
export { actionSetOf } from './catalog/expand.js';
export {
  effectivePermissions,
  actionAccess,
  resourceTerms,
  globCovers,
  possibleActions,
  principalFacts,
  summarizeStatement,
} from './account/effective.js';
export type {
  ActionAccess,
  EffectivePermissions,
  EffectiveInput,
  ResourceTerm,
  StatementSummary,
} from './account/effective.js';
export {
  estatePermissions,
  principalsOf,
  actionFilter,
  principalPermissions,
} from './account/estate.js';
export type { EstateFilter, PrincipalPermissions } from './account/estate.js';
export { summarize, accessLevelSets, ACCESS_LEVELS } from './account/summary.js';
export type { PrincipalSummary, AccessLevel } from './account/summary.js';
export { sensitiveCapabilities } from './account/capabilities.js';
export type { Capability, SensitiveActionTags } from './account/capabilities.js';
export { whoCan, requestContext } from './account/who-can.js';
export { decodeDocument } from './account/policy-source.js';
export type { WhoCanPrincipal, WhoCanResult } from './account/who-can.js';
