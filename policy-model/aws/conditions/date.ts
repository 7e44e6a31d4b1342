/**
 * Date operators compare instants given as ISO 8601 dates/times or as epoch seconds.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
 */
import { comparisonFamily, type OperatorFamily } from './family.js';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH_SECONDS = /^\d{1,12}$/;

/** Parses an ISO 8601 date or epoch seconds into milliseconds, or `undefined`. */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  if (!ISO_8601.test(trimmed)) return undefined;
  // A date-time without zone is read as UTC, as AWS does.
  const withZone = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed) ? `${trimmed}Z` : trimmed;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) return undefined;
  // Reject calendar overflow such as 2024-02-31, which Date.parse rolls over.
  const [year, month, day] = trimmed.slice(0, 10).split('-').map(Number) as [
    number,
    number,
    number,
  ];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return ms;
}

/** Builds a date family from a comparison. */
function date(compare: (value: number, expected: number) => boolean): OperatorFamily<number> {
  return comparisonFamily('invalid_date', parseDate, compare);
}

/** DateEquals; negated, DateNotEquals. */
export const dateEquals = date((a, b) => a === b);
/** DateLessThan. */
export const dateLessThan = date((a, b) => a < b);
/** DateLessThanEquals. */
export const dateLessThanEquals = date((a, b) => a <= b);
/** DateGreaterThan. */
export const dateGreaterThan = date((a, b) => a > b);
/** DateGreaterThanEquals. */
export const dateGreaterThanEquals = date((a, b) => a >= b);
