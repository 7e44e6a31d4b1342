/**
 * Usage facts: activity aggregated per day, so the store grows with distinct activity, not with
 * the number of events. Plain data shared by the ingest pipeline and every usage store.
 */

/** One (principal, action, resource?, day) with how often and when. */
export interface UsageFact {
  readonly principal: string;
  readonly action: string;
  /** A resource ARN the events named, or '' when none. */
  readonly resource: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  readonly count: number;
  /** ISO 8601 instants. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly source: 'cloudtrail' | 'access-advisor';
}

/** A refused call: what an identity tried and was denied. */
export interface DeniedAttempt {
  readonly principal: string;
  readonly action: string;
  readonly day: string;
  readonly errorCode: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** A person behind a role session (IAM Identity Center, source identity) on a day. */
export interface SessionPerson {
  readonly principal: string;
  readonly person: string;
  readonly day: string;
  readonly count: number;
}

/** An (eventSource, eventName) pair that maps to no catalog action. */
export interface UnmappedPair {
  readonly eventSource: string;
  readonly eventName: string;
  readonly reason: string;
  readonly count: number;
}

/** Everything one file contributes; stored atomically with the file's identity. */
export interface FileFacts {
  readonly facts: readonly UsageFact[];
  readonly denied: readonly DeniedAttempt[];
  readonly people: readonly SessionPerson[];
  readonly unmapped: readonly UnmappedPair[];
  readonly records: number;
}

/** How a file is recognised again: path, size and content hash. */
export interface FileKey {
  readonly path: string;
  readonly size: number;
  readonly hash: string;
}

/** One row of `usage show`: a principal's use of an action in the window (a public JSON contract). */
export interface UsageRow {
  readonly principal: string;
  readonly action: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** A principal's use of an action on one resource ('' when none was named) in a window, by source. */
export interface ResourceUse {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly source: 'cloudtrail' | 'access-advisor';
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** A window: `windowDays` days ending on `asOf` (inclusive). */
export interface UsageWindow {
  readonly asOf: string;
  readonly windowDays: number;
}

/** The first day of a window, as `YYYY-MM-DD`. */
export function windowStart(window: UsageWindow): string {
  const end = Date.parse(`${window.asOf}T00:00:00Z`);
  return new Date(end - (window.windowDays - 1) * 86_400_000).toISOString().slice(0, 10);
}
