/**
 * Sensitive capabilities of a principal, each labelled with why: admin-equivalent access,
 * privilege-escalation paths, data exfiltration, resource exposure and credentials exposure.
 * The action lists are data (iam-dataset's tags, CC0/MIT); the escalation paths are the
 * publicly documented IAM privilege-escalation methods.
 */
import { count, has } from '../catalog/action-set.js';
import type { Catalog } from '../catalog/catalog.js';
import { possibleActions, type EffectivePermissions } from './effective.js';

/** Lower-cased action names by tag, from iam-dataset's `aws-sensitive-action-tags.json` (`iam_lower`). */
export interface SensitiveActionTags {
  readonly CredentialExposure: readonly string[];
  readonly DataAccess: readonly string[];
  readonly PrivEsc: readonly string[];
  readonly ResourceExposure: readonly string[];
}

/** One sensitive capability and the evidence for it. */
export interface Capability {
  readonly capability:
    | 'admin-equivalent'
    | 'privilege-escalation'
    | 'data-exfiltration'
    | 'resource-exposure'
    | 'credentials-exposure';
  readonly why: string;
  readonly actions: readonly string[];
}

/**
 * Privilege-escalation paths: every action of a path must be possible. From the documented IAM
 * escalation methods (e.g. Rhino Security Labs' list; AWS's own warnings on iam:PassRole).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 */
const ESCALATION_PATHS: readonly { readonly actions: readonly string[]; readonly why: string }[] = [
  {
    actions: ['iam:CreatePolicyVersion'],
    why: 'can rewrite a managed policy it is attached to and make the new version default',
  },
  {
    actions: ['iam:SetDefaultPolicyVersion'],
    why: 'can switch a policy to an older, broader version',
  },
  {
    actions: ['iam:AttachUserPolicy'],
    why: 'can attach any managed policy (AdministratorAccess) to a user',
  },
  { actions: ['iam:AttachGroupPolicy'], why: 'can attach any managed policy to a group it is in' },
  { actions: ['iam:AttachRolePolicy'], why: 'can attach any managed policy to a role it can use' },
  { actions: ['iam:PutUserPolicy'], why: 'can write an inline policy granting anything to a user' },
  {
    actions: ['iam:PutGroupPolicy'],
    why: 'can write an inline policy granting anything to a group',
  },
  { actions: ['iam:PutRolePolicy'], why: 'can write an inline policy granting anything to a role' },
  { actions: ['iam:AddUserToGroup'], why: 'can add a user to a more privileged group' },
  {
    actions: ['iam:CreateAccessKey'],
    why: 'can create access keys for other users and act as them',
  },
  {
    actions: ['iam:CreateLoginProfile'],
    why: 'can set a console password on another user and sign in as them',
  },
  { actions: ['iam:UpdateLoginProfile'], why: "can change another user's console password" },
  {
    actions: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'],
    why: 'can rewrite a role trust policy to trust itself, then assume the role',
  },
  {
    actions: ['iam:PassRole', 'ec2:RunInstances'],
    why: 'can launch an instance with a more privileged role (iam:PassRole with a compute create action)',
  },
  {
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
    why: 'can create and run a Lambda function with a more privileged role',
  },
  {
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    why: 'can create a Lambda function with a more privileged role and trigger it from an event source',
  },
  {
    actions: ['lambda:UpdateFunctionCode'],
    why: 'can replace the code of a function that runs with another role',
  },
  {
    actions: ['iam:PassRole', 'cloudformation:CreateStack'],
    why: 'can create a CloudFormation stack that acts with a more privileged role',
  },
  {
    actions: ['iam:PassRole', 'glue:CreateDevEndpoint'],
    why: 'can create a Glue development endpoint with a more privileged role',
  },
  {
    actions: ['glue:UpdateDevEndpoint'],
    why: 'can add an SSH key to a Glue endpoint that runs with another role',
  },
  {
    actions: ['iam:PassRole', 'ecs:RunTask'],
    why: 'can run an ECS task with a more privileged role',
  },
  {
    actions: ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
    why: 'can run a CodeBuild project with a more privileged role',
  },
  {
    actions: ['iam:PassRole', 'sagemaker:CreateNotebookInstance'],
    why: 'can create a SageMaker notebook with a more privileged role',
  },
  { actions: ['ssm:SendCommand'], why: 'can run commands on instances, with their instance roles' },
];

/** Data exfiltration is about reading data anywhere: these must be allowed on every resource. */
const EXFILTRATION = [
  's3:GetObject',
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'kms:Decrypt',
  'dynamodb:Scan',
  'dynamodb:GetItem',
  'rds-db:connect',
];

const idCache = new WeakMap<Catalog, Map<string, number | undefined>>();

/** An action's number by name, memoized per catalog (bench/effective.bench.ts: lookups were a fifth of the time). */
function idOf(catalog: Catalog, name: string): number | undefined {
  let ids = idCache.get(catalog);
  if (!ids) {
    ids = new Map();
    idCache.set(catalog, ids);
  }
  if (ids.has(name)) return ids.get(name);
  const [service, action] = name.toLowerCase().split(':') as [string, string];
  const id = catalog.services.get(service)?.actions.get(action)?.id;
  ids.set(name, id);
  return id;
}

/** Lists the principal's sensitive capabilities. */
export function sensitiveCapabilities(
  catalog: Catalog,
  permissions: EffectivePermissions,
  tags: SensitiveActionTags | undefined,
): Capability[] {
  const out: Capability[] = [];
  const can = possibleActions(permissions);
  const canDo = (name: string) => {
    const id = idOf(catalog, name);
    return id !== undefined && has(can, id);
  };
  const everywhere = (name: string) => {
    const id = idOf(catalog, name);
    return id !== undefined && has(permissions.allowed, id);
  };

  const total = catalog.actions.length;
  const iam = catalog.services.get('iam');
  const allIam = iam ? [...iam.actions.values()].every((a) => has(can, a.id)) : false;
  if (allIam && count(can) >= total * 0.99) {
    out.push({
      capability: 'admin-equivalent',
      why: `may perform ${count(can).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} actions, every IAM action included`,
      actions: ['*'],
    });
  }
  for (const path of ESCALATION_PATHS) {
    if (path.actions.every(canDo))
      out.push({ capability: 'privilege-escalation', why: path.why, actions: path.actions });
  }
  const exfiltration = EXFILTRATION.filter(everywhere);
  if (exfiltration.length > 0)
    out.push({
      capability: 'data-exfiltration',
      why: 'may read data on every resource, unrestricted',
      actions: exfiltration,
    });
  const tagged = (list: readonly string[] | undefined) =>
    (list ?? []).filter((name) => everywhere(name));
  const exposure = tagged(tags?.ResourceExposure);
  if (exposure.length > 0)
    out.push({
      capability: 'resource-exposure',
      why: 'may change resource policies or sharing on every resource, exposing them to others',
      actions: exposure.map((n) => fullName(catalog, n)),
    });
  const credentials = tagged(tags?.CredentialExposure);
  if (credentials.length > 0)
    out.push({
      capability: 'credentials-exposure',
      why: 'may create or read credentials, tokens or secrets on every resource',
      actions: credentials.map((n) => fullName(catalog, n)),
    });
  return out;
}

function fullName(catalog: Catalog, name: string): string {
  const id = idOf(catalog, name);
  return id === undefined ? name : catalog.actions[id]!.fullName;
}
