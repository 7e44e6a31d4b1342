/**
 * Stage 3, normalize and compile: a validated document becomes a `Policy` with arrays everywhere,
 * lower-cased action globs and compiled resource, principal and condition matchers.
 */
import { compileCondition, type CompiledCondition } from './conditions/condition.js';
import type { PolicyDocument, StatementDocument } from './document.js';
import {
  asList,
  conditionValues,
  principalElementOf,
  principalPatterns,
  statementList,
} from './elements.js';
import type {
  ActionPattern,
  Policy,
  PolicyKind,
  PrincipalMatchElement,
  ResourceElement,
  ResourcePattern,
  Statement,
} from './policy.js';
import type { PrincipalPattern } from './principal.js';
import { parseResourceTemplate, type ValueTemplate } from './variables.js';
import { compileGlob, compileResourceGlob } from './wildcard.js';

/**
 * Compiled globs by text: an estate repeats the same patterns in thousands of policies
 * (bench/effective.bench.ts: compiling each again was a tenth of loading a 10,000-principal estate).
 * Bounded so a long-lived process does not grow without end.
 */
function memo<T>(cache: Map<string, T>, key: string, build: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= 50_000) cache.clear();
    value = build();
    cache.set(key, value);
  }
  return value;
}
const actionGlobs = new Map<string, (input: string) => boolean>();
const resourceGlobs = new Map<string, (input: string) => boolean>();

function staticResourceGlob(text: string): (input: string) => boolean {
  return memo(resourceGlobs, text, () => compileResourceGlob([{ text, literal: false }]));
}

/** Compiles one action glob (case-insensitive). */
export function compileActionPattern(text: string): ActionPattern {
  const lower = text.toLowerCase();
  const colon = lower.indexOf(':');
  const test = memo(actionGlobs, lower, () => compileGlob(lower, true));
  return { text, service: colon === -1 ? '*' : lower.slice(0, colon), test };
}

function compileResources(s: StatementDocument, substitutes: boolean): ResourceElement {
  const kind =
    s.Resource !== undefined
      ? 'resource'
      : s.NotResource !== undefined
        ? 'not-resource'
        : undefined;
  if (!kind) return { kind: 'implied' };
  const patterns: ResourcePattern[] = asList(kind === 'resource' ? s.Resource : s.NotResource).map(
    (text) => {
      const parsed = parseResourceTemplate(text, substitutes);
      // Validation has run: a failed template cannot reach here; keep the text literal to be safe.
      const template: ValueTemplate = parsed.ok
        ? parsed.value
        : { text, parts: [{ kind: 'text', text }], hasVariables: false };
      return {
        template,
        test: template.hasVariables ? undefined : staticResourceGlob(text),
      };
    },
  );
  return { kind, patterns };
}

function compilePrincipals(s: StatementDocument): PrincipalMatchElement {
  const element = principalElementOf(s);
  if (!element) return { kind: 'none' };
  const patterns = principalPatterns(element.element)
    .map((p) => p.pattern)
    .filter((p): p is PrincipalPattern => p !== undefined);
  return { kind: element.name === 'Principal' ? 'principal' : 'not-principal', patterns };
}

function compileConditions(s: StatementDocument, substitutes: boolean): CompiledCondition[] {
  const out: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      const compiled = compileCondition(operator, key, conditionValues(value), substitutes);
      if (compiled.ok) out.push(compiled.value);
    }
  }
  return out;
}

/** Builds the normalized policy from a document that passed shape and semantic checks. */
export function normalizePolicy(doc: PolicyDocument, kind: PolicyKind, id: string): Policy {
  const substitutes = doc.Version === '2012-10-17';
  const statements: Statement[] = (
    statementList(doc.Statement) as readonly StatementDocument[]
  ).map((s, index) => ({
    index,
    sid: s.Sid,
    effect: s.Effect,
    actions: {
      kind: s.Action !== undefined ? 'action' : 'not-action',
      patterns: asList(s.Action ?? s.NotAction).map(compileActionPattern),
    },
    resources: compileResources(s, substitutes),
    principals: compilePrincipals(s),
    conditions: compileConditions(s, substitutes),
  }));
  return { id, kind, version: doc.Version, substitutesVariables: substitutes, statements };
}
