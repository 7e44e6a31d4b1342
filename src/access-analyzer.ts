/**
 * IAM Access Analyzer's unused-access findings next to ours: for each finding, what it calls
 * unused, what of that we saw used in the window, and whether we agree.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings-view.html
 */
import type { AccessAnalyzerComparison, Finding } from '../recommender/model.js';
import type { AccessAnalyzerFinding } from './snapshot.js';

/** What we know about one principal, for the comparison. */
export interface OurEvidence {
  /** Actions used in the window (CloudTrail or Access Advisor), `service:Action`. */
  readonly used: ReadonlySet<string>;
  /** Our findings about the principal (credential and usage rules). */
  readonly findings: readonly Finding[];
}

/** How Access Analyzer's words for an action compare to ours: `s3:GetObject`. */
const lower = (action: string) => action.toLowerCase();

/** Compares one Access Analyzer finding with our evidence about the same principal. */
export function compareFinding(
  finding: AccessAnalyzerFinding,
  ours: OurEvidence,
): AccessAnalyzerComparison {
  const base = {
    findingId: finding.id,
    findingType: finding.findingType,
    ...(finding.lastAccessed ? { lastAccessed: finding.lastAccessed } : {}),
    ...(finding.accessKeyId ? { accessKeyId: finding.accessKeyId } : {}),
  };
  const rule = (id: string) => ours.findings.some((f) => f.ruleId === id);
  const used = new Set([...ours.used].map(lower));
  switch (finding.findingType) {
    case 'UnusedIAMRole': {
      const seen = [...ours.used].sort();
      return seen.length === 0
        ? { ...base, agreement: 'agree', note: 'we saw no use of the role in the window either' }
        : {
            ...base,
            usedPerUs: seen.slice(0, 10),
            agreement: 'disagree',
            note: `we saw the role use ${seen.length} action(s) in the window`,
          };
    }
    case 'UnusedIAMUserPassword':
      return rule('credentials.password-unused') || rule('usage.unused-identity')
        ? { ...base, agreement: 'agree', note: 'we flag the unused password too' }
        : {
            ...base,
            agreement: 'disagree',
            note: 'we do not flag the password (used recently enough, or within the grace period)',
          };
    case 'UnusedIAMUserAccessKey':
      return rule('credentials.access-key-unused')
        ? { ...base, agreement: 'agree', note: 'we flag an unused access key too' }
        : {
            ...base,
            agreement: 'disagree',
            note: 'we do not flag an unused access key (used recently enough, or within the grace period)',
          };
    case 'UnusedPermission': {
      const unusedActions: string[] = [];
      const usedPerUs: string[] = [];
      for (const s of finding.services) {
        if (s.actions.length === 0) {
          // The whole service: any action of it we saw used contradicts it.
          unusedActions.push(`${s.service}:*`);
          const prefix = `${lower(s.service)}:`;
          const seen = [...used].filter((a) => a.startsWith(prefix));
          if (seen.length > 0) usedPerUs.push(`${s.service}:*`);
        } else
          for (const a of s.actions) {
            unusedActions.push(a.action);
            if (used.has(lower(a.action))) usedPerUs.push(a.action);
          }
      }
      const agreement =
        usedPerUs.length === 0
          ? 'agree'
          : usedPerUs.length === unusedActions.length
            ? 'disagree'
            : 'partly';
      return {
        ...base,
        unusedActions,
        ...(usedPerUs.length > 0 ? { usedPerUs } : {}),
        agreement,
        note:
          agreement === 'agree'
            ? 'we saw none of these used in the window either'
            : `we saw ${usedPerUs.length} of these ${unusedActions.length} used in the window and keep ${usedPerUs.length === 1 ? 'it' : 'them'}`,
      };
    }
  }
}
