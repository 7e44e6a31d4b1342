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
} from '../policy-model/index.js';
export { loadCatalog } from './catalog.js';
