/**
 * `organization.json` (docs/snapshot.md) from AWS Organizations: the tree of roots, OUs and
 * accounts, every SCP and RCP with its document, and where each is attached.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListTargetsForPolicy.html
 */
import { join } from 'node:path';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  type PolicyType,
} from '@aws-sdk/client-organizations';
import { call, writeFileAtomic, type AwsClients } from './aws.js';

/** A node of `organization.json`. */
interface Node {
  readonly id: string;
  readonly name?: string;
  readonly policies: string[];
  readonly accounts: string[];
  readonly children: Node[];
}

/** What `collectOrganization` wrote. */
export interface OrganizationCollection {
  readonly file: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** Every ACTIVE account of the organization, in tree order. */
  readonly accounts: readonly { readonly id: string; readonly name: string | undefined }[];
  readonly policies: number;
}

/** Pages through a NextToken-paginated Organizations call. */
async function all<T>(
  name: string,
  page: (
    token: string | undefined,
  ) => Promise<{ items: T[] | undefined; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await call(name, () => page(token));
    items.push(...(result.items ?? []));
    token = result.next;
  } while (token);
  return items;
}

const TYPES: readonly PolicyType[] = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];

/** Reads the organization (from its management or a delegated administrator account). */
export async function collectOrganization(options: {
  readonly clients: Pick<AwsClients, 'organizations'>;
  readonly out: string;
}): Promise<OrganizationCollection> {
  const org = options.clients.organizations;
  const described = await call('organizations:DescribeOrganization', () =>
    org.send(new DescribeOrganizationCommand({})),
  );
  const organizationId = described.Organization?.Id ?? '';
  const managementAccountId = described.Organization?.MasterAccountId ?? '';

  // Policies first: which policy is attached to which target.
  const policies: Record<string, { name: string; type: PolicyType; document: unknown }> = {};
  const attached = new Map<string, string[]>();
  for (const type of TYPES) {
    const summaries = await all('organizations:ListPolicies', async (token) => {
      const r = await org.send(
        new ListPoliciesCommand({ Filter: type, ...(token ? { NextToken: token } : {}) }),
      );
      return { items: r.Policies, next: r.NextToken };
    });
    for (const summary of summaries) {
      if (!summary.Id) continue;
      const id = summary.Id;
      const policy = await call('organizations:DescribePolicy', () =>
        org.send(new DescribePolicyCommand({ PolicyId: id })),
      );
      const content = policy.Policy?.Content ?? '{}';
      let document: unknown;
      try {
        document = JSON.parse(content) as unknown;
      } catch {
        document = content; // reported by the snapshot reader with its pointer
      }
      policies[id] = { name: summary.Name ?? id, type, document };
      const targets = await all('organizations:ListTargetsForPolicy', async (token) => {
        const r = await org.send(
          new ListTargetsForPolicyCommand({ PolicyId: id, ...(token ? { NextToken: token } : {}) }),
        );
        return { items: r.Targets, next: r.NextToken };
      });
      for (const target of targets)
        if (target.TargetId)
          attached.set(target.TargetId, [...(attached.get(target.TargetId) ?? []), id]);
    }
  }
  const policiesOf = (id: string) => [...(attached.get(id) ?? [])].sort();

  const accounts: { id: string; name: string | undefined }[] = [];
  const accountPolicies: Record<string, { policies: string[] }> = {};
  const node = async (id: string, name: string | undefined): Promise<Node> => {
    const members = await all('organizations:ListAccountsForParent', async (token) => {
      const r = await org.send(
        new ListAccountsForParentCommand({ ParentId: id, ...(token ? { NextToken: token } : {}) }),
      );
      return { items: r.Accounts, next: r.NextToken };
    });
    const accountIds: string[] = [];
    for (const a of members) {
      if (!a.Id) continue;
      accountIds.push(a.Id);
      accountPolicies[a.Id] = { policies: policiesOf(a.Id) };
      if ((a.State ?? a.Status ?? 'ACTIVE') === 'ACTIVE') accounts.push({ id: a.Id, name: a.Name });
    }
    const units = await all('organizations:ListOrganizationalUnitsForParent', async (token) => {
      const r = await org.send(
        new ListOrganizationalUnitsForParentCommand({
          ParentId: id,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      return { items: r.OrganizationalUnits, next: r.NextToken };
    });
    const children: Node[] = [];
    for (const unit of units) if (unit.Id) children.push(await node(unit.Id, unit.Name));
    return {
      id,
      ...(name !== undefined ? { name } : {}),
      policies: policiesOf(id),
      accounts: accountIds,
      children,
    };
  };
  const roots = await all('organizations:ListRoots', async (token) => {
    const r = await org.send(new ListRootsCommand(token ? { NextToken: token } : {}));
    return { items: r.Roots, next: r.NextToken };
  });
  const rootId = roots[0]?.Id;
  if (!rootId) throw new Error('ListRoots returned no root'); // an organization always has one
  const root = await node(rootId, undefined);

  const file = join(options.out, 'organization.json');
  const json = { organizationId, managementAccountId, policies, root, accounts: accountPolicies };
  writeFileAtomic(file, `${JSON.stringify(json, null, 2)}\n`);
  return {
    file,
    organizationId,
    managementAccountId,
    accounts,
    policies: Object.keys(policies).length,
  };
}
