/**
 * leastpriv, the library. A curated surface: evaluate AWS IAM requests exactly as AWS does, with
 * an explanation; parse and validate policies; load the action catalog.
 */
export {
  parsePolicy,
  prepareRequest,
  evaluate,
  decide,
  simulate,
  parseSimulationCase,
  buildCatalog,
  POLICY_ERROR_CODES,
  POLICY_WARNING_CODES,
  buildSnapshot,
  policyLevels,
  effectivePermissions,
  estatePermissions,
  principalPermissions,
  actionAccess,
  actionFilter,
  summarize,
  sensitiveCapabilities,
  whoCan,
  SNAPSHOT_ISSUE_CODES,
  ACCESS_LEVELS,
} from '../policy-model/index.js';
export type {
  Issue,
  Result,
  PolicyErrorCode,
  PolicyWarningCode,
  PolicyDocument,
  StatementDocument,
  Policy,
  PolicyKind,
  Statement,
  ParseOptions,
  AuthorizationRequest,
  PreparedRequest,
  EvaluateOptions,
  EvaluationResult,
  Explanation,
  StatementExplanation,
  PolicySet,
  Decision,
  DecisionFacts,
  DecisionReason,
  DecisionResult,
  StatementRef,
  SimulateOptions,
  SimulationAnswer,
  SimulationCase,
  Catalog,
  CatalogAction,
  CatalogService,
  RawCatalogAction,
  Account,
  CredentialReportRow,
  KindReason,
  Organization,
  OrganizationNode,
  PolicySource,
  Principal,
  Snapshot,
  SnapshotFiles,
  SnapshotOptions,
  SnapshotIssueCode,
  ActionSet,
  ActionAccess,
  EffectivePermissions,
  EffectiveInput,
  EstateFilter,
  PrincipalPermissions,
  PrincipalSummary,
  AccessLevel,
  Capability,
  SensitiveActionTags,
  WhoCanPrincipal,
  WhoCanResult,
} from '../policy-model/index.js';
export { loadCatalog } from './catalog.js';
export { loadSnapshot } from './snapshot.js';
export { loadSensitiveActionTags } from './sensitive-actions.js';
export { loadAwsManagedPolicies } from './aws-managed-policies.js';
export { openUsageStore, ingestCloudTrail } from './usage.js';
export type { UsageStore } from '../usage/store/store.js';
export type {
  UsageFact,
  UsageRow,
  UsageWindow,
  DeniedAttempt,
  SessionPerson,
  UnmappedPair,
} from '../usage/facts.js';
export type { IngestSummary, IngestProgress } from '../usage/ingest.js';

// The main job: rewrites with proofs, findings, scores, the report model and its renderers.
export { analyzeSnapshot } from './analyze.js';
export type { AnalyzeOptions, AnalyzeResult } from './analyze.js';
export { recommend } from '../recommender/recommend.js';
export type { RecommendInput, RecommendOutput } from '../recommender/recommend.js';
export { proveNoNewAccess, proveUsageCovered } from '../recommender/proof.js';
export { credentialFindings } from '../recommender/findings/credentials.js';
export { usageFindings } from '../recommender/findings/usage.js';
export { creepScore } from '../recommender/score.js';
export { REPORT_SCHEMA_VERSION, SEVERITIES } from '../recommender/model.js';
export type {
  Finding,
  Recommendation,
  PermissionEvidence,
  ProposedPolicy,
  CurrentPolicy,
  ProofResult,
  Report,
  PrincipalReport,
  AccountReport,
  Score,
  Severity,
  Confidence,
} from '../recommender/model.js';
export { renderReport, REPORT_FORMATS, REPORT_FILE_NAMES } from './report/index.js';
export type { ReportFormat } from './report/index.js';
