/**
 * IAM Access Advisor: `GetServiceLastAccessedDetails` output (service level, and `ACTION_LEVEL`
 * for the services that track actions), as usage facts with `source: 'access-advisor'`. Coarser
 * than CloudTrail: one use per service or action on its last-accessed day, and a service-level
 * fact names the service (`s3:*`), not an action.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
 */
import type { Issue } from '../policy-model/index.js';
import type { UsageFact } from './facts.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const iso = (v: unknown): string | undefined => {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

/**
 * Reads `access-advisor.json`: `{ "<principal ARN>": <GetServiceLastAccessedDetails output> }`.
 * Problems are reported with `file#pointer`; the other principals are still read.
 */
export function readAccessAdvisor(
  json: unknown,
  file: string,
): { facts: UsageFact[]; issues: Issue[] } {
  const facts: UsageFact[] = [];
  const issues: Issue[] = [];
  if (!isObject(json)) {
    return {
      facts,
      issues: [
        {
          code: 'invalid_access_advisor',
          message: 'expected `{ "<principal ARN>": <GetServiceLastAccessedDetails output> }`',
          path: `${file}#`,
        },
      ],
    };
  }
  for (const [principal, output] of Object.entries(json)) {
    const at = `${file}#/${principal.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isObject(output) || !Array.isArray(output['ServicesLastAccessed'])) {
      issues.push({
        code: 'invalid_access_advisor',
        message: 'no `ServicesLastAccessed` list',
        path: at,
      });
      continue;
    }
    const fact = (action: string, time: string): UsageFact => ({
      principal,
      action,
      resource: '',
      day: time.slice(0, 10),
      count: 1,
      firstSeen: time,
      lastSeen: time,
      source: 'access-advisor',
    });
    for (const service of output['ServicesLastAccessed'].filter(isObject)) {
      const namespace =
        typeof service['ServiceNamespace'] === 'string' ? service['ServiceNamespace'] : undefined;
      const last = iso(service['LastAuthenticated']);
      if (!namespace || !last) continue; // never used: no fact
      const tracked = Array.isArray(service['TrackedActionsLastAccessed'])
        ? service['TrackedActionsLastAccessed'].filter(isObject)
        : [];
      const actions = tracked.flatMap((a) => {
        const time = iso(a['LastAccessedTime']);
        return typeof a['ActionName'] === 'string' && time
          ? [fact(`${namespace}:${a['ActionName']}`, time)]
          : [];
      });
      // Action-level data where AWS tracks it, otherwise the service as a whole.
      facts.push(...(actions.length > 0 ? actions : [fact(`${namespace}:*`, last)]));
    }
  }
  return { facts, issues };
}
