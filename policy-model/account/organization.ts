/**
 * `organization.json`: the organization tree with its SCPs and RCPs, and the policy levels that
 * govern each account (root first, then each OU down to the account itself).
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 */
import type { Policy } from '../aws/policy.js';
import { pointer, type Issue } from '../result.js';
import type { Organization, OrganizationNode, PolicySource } from './account.js';
import { policySource } from './policy-source.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Parses organization.json; problems are reported with `file#pointer`. */
export function readOrganization(
  json: unknown,
  file: string,
): { organization: Organization | undefined; issues: Issue[] } {
  const issues: Issue[] = [];
  const invalid = (path: string, message: string) =>
    issues.push({ code: 'invalid_organization', message, path: `${file}#${path}` });
  if (!isObject(json)) {
    invalid(
      '',
      'expected an object with `organizationId`, `managementAccountId`, `policies`, `root`',
    );
    return { organization: undefined, issues };
  }
  const policies = new Map<
    string,
    {
      name: string;
      type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
      source: PolicySource;
    }
  >();
  const rawPolicies = isObject(json['policies']) ? json['policies'] : {};
  for (const [id, raw] of Object.entries(rawPolicies)) {
    if (
      !isObject(raw) ||
      (raw['type'] !== 'SERVICE_CONTROL_POLICY' && raw['type'] !== 'RESOURCE_CONTROL_POLICY')
    ) {
      invalid(
        pointer('/policies', id),
        '`type` must be SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY',
      );
      continue;
    }
    const type = raw['type'];
    const name = typeof raw['name'] === 'string' ? raw['name'] : id;
    const source = policySource(
      {
        id,
        name,
        kind: 'customer-managed',
        document: raw['document'],
        where: `${file}#${pointer('/policies', id, 'document')}`,
        policyKind: type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp',
      },
      issues,
    );
    policies.set(id, { name, type, source });
  }
  const node = (raw: unknown, path: string): OrganizationNode => {
    if (!isObject(raw)) {
      invalid(path, 'an organization node must be an object');
      return { id: path, name: undefined, policies: [], accounts: [], children: [] };
    }
    const attachedIds = strings(raw['policies']);
    attachedIds.forEach((p, i) => {
      if (!policies.has(p))
        invalid(pointer(path, 'policies', i), `policy \`${p}\` is not in \`policies\``);
    });
    return {
      id: typeof raw['id'] === 'string' ? raw['id'] : path,
      name: typeof raw['name'] === 'string' ? raw['name'] : undefined,
      policies: attachedIds,
      accounts: strings(raw['accounts']),
      children: (Array.isArray(raw['children']) ? raw['children'] : []).map((c: unknown, i) =>
        node(c, pointer(path, 'children', i)),
      ),
    };
  };
  const accountPolicies = new Map<string, string[]>();
  if (isObject(json['accounts'])) {
    for (const [account, raw] of Object.entries(json['accounts']))
      accountPolicies.set(account, isObject(raw) ? strings(raw['policies']) : []);
  }
  if (typeof json['managementAccountId'] !== 'string')
    invalid('/managementAccountId', '`managementAccountId` is required');
  return {
    organization: {
      id: typeof json['organizationId'] === 'string' ? json['organizationId'] : '',
      managementAccountId:
        typeof json['managementAccountId'] === 'string' ? json['managementAccountId'] : '',
      policies,
      root: node(json['root'], '/root'),
      accountPolicies,
    },
    issues,
  };
}

/** The chain of nodes from the root to the node that holds the account, or undefined. */
function chainTo(node: OrganizationNode, account: string): OrganizationNode[] | undefined {
  if (node.accounts.includes(account)) return [node];
  for (const child of node.children) {
    const chain = chainTo(child, account);
    if (chain) return [node, ...chain];
  }
  return undefined;
}

/**
 * The SCP or RCP levels that govern an account: root first, each OU, then the account. Undefined
 * when the account is outside the organization or is its management account (exempt).
 */
export function policyLevels(
  organization: Organization | undefined,
  account: string,
  type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY',
): Policy[][] | undefined {
  if (!organization || account === organization.managementAccountId) return undefined;
  const chain = chainTo(organization.root, account);
  if (!chain && !organization.accountPolicies.has(account)) return undefined;
  const levelIds = [
    ...(chain ?? [organization.root]).map((n) => n.policies),
    organization.accountPolicies.get(account) ?? [],
  ];
  const levels = levelIds.map((ids) =>
    ids.flatMap((id) => {
      const p = organization.policies.get(id);
      return p && p.type === type && p.source.policy ? [p.source.policy] : [];
    }),
  );
  // AWS never leaves a node without an SCP (the last one cannot be detached), so a level that
  // lists none was not exported: it restricts nothing we know of.
  return levels.filter((level) => level.length > 0);
}
