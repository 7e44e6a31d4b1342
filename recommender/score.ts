/**
 * The permission-creep score: how much of what a principal (or an account) can do it does not use,
 * with high-risk unused permissions weighing more.
 *
 *   creep = round(100 × (unused + 2 × highRiskUnused) / (granted + 2 × highRiskUnused))
 *
 * where `granted` counts the catalog actions the principal can perform (allowed, on some
 * resources, or under conditions), `used` those seen used in the window (CloudTrail or Access
 * Advisor), `unused = granted − used`, and `highRiskUnused` the unused ones that carry an
 * admin-equivalent, privilege-escalation, data-exfiltration or credentials-exposure capability.
 * 0: uses everything it has; 100: uses nothing. An account's score uses the sums over its principals.
 */
import type { Score } from './model.js';

/** The score of one principal or of a sum. */
export function creepScore(granted: number, used: number, highRiskUnused: number): Score {
  const unused = Math.max(0, granted - used);
  const creep =
    granted === 0
      ? 0
      : Math.round((100 * (unused + 2 * highRiskUnused)) / (granted + 2 * highRiskUnused));
  return { granted, used, highRiskUnused, creep };
}

/** The score of several principals together. */
export function sumScores(scores: readonly Score[]): Score {
  return creepScore(
    scores.reduce((n, s) => n + s.granted, 0),
    scores.reduce((n, s) => n + s.used, 0),
    scores.reduce((n, s) => n + s.highRiskUnused, 0),
  );
}

/** The score with its change since a previous one (when there was one). */
export function withChange(score: Score, previous: Score | undefined): Score {
  return previous ? { ...score, change: score.creep - previous.creep } : score;
}
