/**
 * ARN operators: ArnEquals and ArnLike (identical: each of the six colon-separated parts is matched
 * on its own, with `*` and `?`), ArnNotEquals and ArnNotLike. Case-sensitive.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
import type { ResolvedPart } from '../variables.js';
import { compileGlobParts } from '../wildcard.js';
import type { OperatorFamily } from './family.js';

type SegmentMatchers = readonly ((segment: string) => boolean)[];

/** Splits resolved parts at the first five colons of the written text (variables never split). */
function splitSegments(parts: readonly ResolvedPart[]): ResolvedPart[][] {
  const segments: ResolvedPart[][] = [[]];
  for (const part of parts) {
    if (part.literal || segments.length === 6) {
      segments[segments.length - 1]!.push(part);
      continue;
    }
    const pieces = part.text.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (segments.length < 6) segments.push([]);
        else segments[segments.length - 1]!.push({ text: ':', literal: false });
      }
      if (piece.length > 0) segments[segments.length - 1]!.push({ text: piece, literal: false });
    });
  }
  return segments;
}

/** Splits a request ARN into six parts (the last keeps its colons). */
function requestSegments(value: string): string[] | undefined {
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** A parsed ARN condition value: any ARN, six segment globs, or (not an ARN) nothing. */
export type ArnPattern =
  | { readonly kind: 'any' }
  | { readonly kind: 'segments'; readonly matchers: SegmentMatchers }
  | { readonly kind: 'none' };

/**
 * ArnLike / ArnEquals. A policy value of plain `*` matches any ARN; a value that is not six
 * segments matches nothing (IAM accepts it; Access Analyzer flags it).
 */
export const arnLike: OperatorFamily<ArnPattern> = {
  invalidCode: 'invalid_arn',
  parse: (parts) => {
    const segments = splitSegments(parts);
    const only = segments.length === 1 && segments[0]!.length === 1 ? segments[0]![0]! : undefined;
    if (only && only.text === '*' && !only.literal) return { kind: 'any' };
    if (segments.length !== 6) return { kind: 'none' };
    return {
      kind: 'segments',
      matchers: segments.map((segment) =>
        compileGlobParts(segment.length === 0 ? [{ text: '', literal: true }] : segment),
      ),
    };
  },
  test: (value, pattern) => {
    if (pattern.kind === 'any') return value.startsWith('arn:');
    if (pattern.kind === 'none') return false;
    const segments = requestSegments(value);
    return segments !== undefined && pattern.matchers.every((match, i) => match(segments[i]!));
  },
};
