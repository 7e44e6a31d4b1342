/**
 * `parsePolicy()`: the named stages shape → validate → normalize (compile), plus catalog warnings.
 * Problems are collected, never thrown.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { Issue, Result } from '../result.js';
import type { PolicyDocument } from './document.js';
import { statementList } from './elements.js';
import type { PolicyErrorCode } from './issue-codes.js';
import { lintPolicy } from './lint.js';
import { normalizePolicy } from './normalize.js';
import type { Policy, PolicyKind } from './policy.js';
import { checkDocumentShape, checkStatementShape } from './schema.js';
import { validateDocument } from './validate.js';

/** Where the policy sits and how to name it in issues and explanations. */
export interface ParseOptions {
  readonly kind: PolicyKind;
  /** JSON pointer of the document in the user's input; also the policy's id unless `id` is set. */
  readonly path?: string;
  readonly id?: string;
  /** With a catalog, unknown actions and unsupported condition keys become warnings. */
  readonly catalog?: Catalog;
}

/** Parses, validates and compiles one policy document. */
export function parsePolicy(
  input: unknown,
  options: ParseOptions,
): Result<Policy, PolicyErrorCode> {
  const base = options.path ?? '';
  const shape = checkDocumentShape(input, base);
  if (shape.length > 0) return { ok: false, errors: shape, warnings: [] };
  const doc = input as PolicyDocument;
  const statements = statementList(doc.Statement);
  const statementPaths = statements.map((_, i) =>
    Array.isArray(doc.Statement) ? `${base}/Statement/${i}` : `${base}/Statement`,
  );
  const statementShape = statements.flatMap((s, i) => checkStatementShape(s, statementPaths[i]!));
  if (statementShape.length > 0) return { ok: false, errors: statementShape, warnings: [] };
  const errors = validateDocument(doc, options.kind, base);
  if (errors.length > 0) return { ok: false, errors, warnings: [] };

  const policy = normalizePolicy(doc, options.kind, options.id ?? base);
  const warnings: Issue[] = [];
  if (doc.Version === undefined) {
    warnings.push({
      code: 'missing_version',
      message: 'no `Version`: policy variables are not substituted (add `"Version": "2012-10-17"`)',
      path: base,
    });
  }
  if (options.catalog) warnings.push(...lintPolicy(policy, options.catalog, statementPaths));
  return { ok: true, value: policy, warnings };
}
