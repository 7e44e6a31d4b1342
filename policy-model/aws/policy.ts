/**
 * The normalized, compiled policy (the working type): arrays everywhere, actions lower-cased,
 * patterns compiled. Produced by `parsePolicy()`; read by the matcher and the evaluator.
 */
import type { CompiledCondition } from './conditions/condition.js';
import type { PrincipalPattern } from './principal.js';
import type { ValueTemplate } from './variables.js';

/** Where a policy sits in the evaluation: each kind plays a different part in `decide()`. */
export type PolicyKind = 'identity' | 'boundary' | 'session' | 'scp' | 'rcp' | 'resource';

/** A compiled `*`/`?` glob over action names (lower-cased). */
export interface ActionPattern {
  readonly text: string;
  /** Lower-cased service prefix (`*` when the pattern has no colon, i.e. `*`). */
  readonly service: string;
  readonly test: (lowerAction: string) => boolean;
}

/** `Action` or `NotAction`. */
export interface ActionElement {
  readonly kind: 'action' | 'not-action';
  readonly patterns: readonly ActionPattern[];
}

/** A resource glob: compiled once when it holds no policy variable, else resolved per request. */
export interface ResourcePattern {
  readonly template: ValueTemplate;
  readonly test: ((resource: string) => boolean) | undefined;
}

/** `Resource` or `NotResource`; `implied` when a resource policy omits both (it names its own resource). */
export type ResourceElement =
  | { readonly kind: 'resource' | 'not-resource'; readonly patterns: readonly ResourcePattern[] }
  | { readonly kind: 'implied' };

/** `Principal` or `NotPrincipal`; `none` for policies attached to identities. */
export type PrincipalMatchElement =
  | { readonly kind: 'principal' | 'not-principal'; readonly patterns: readonly PrincipalPattern[] }
  | { readonly kind: 'none' };

/** One normalized statement. */
export interface Statement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: ActionElement;
  readonly resources: ResourceElement;
  readonly principals: PrincipalMatchElement;
  readonly conditions: readonly CompiledCondition[];
}

/** One normalized policy. `id` names it in explanations (a JSON pointer into the case, or an ARN). */
export interface Policy {
  readonly id: string;
  readonly kind: PolicyKind;
  readonly version: '2012-10-17' | '2008-10-17' | undefined;
  /** Policy variables are substituted only under Version 2012-10-17. */
  readonly substitutesVariables: boolean;
  readonly statements: readonly Statement[];
}
