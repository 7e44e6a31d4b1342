/**
 * The identity behind an event, from its `userIdentity`: the IAM user or role whose permissions
 * were used, the session name and source identity, and for IAM Identity Center roles the person
 * (the session name is the user name). AWS services acting on their own are never attributed.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */

/** Who acted. `principal` is the IAM user or role ARN whose permissions were used. */
export interface Actor {
  readonly type: string;
  readonly principal: string | undefined;
  readonly account: string | undefined;
  readonly sessionName?: string;
  readonly sourceIdentity?: string;
  /** The person behind an IAM Identity Center session or a source identity. */
  readonly person?: string;
  /** Why the event is not attributed to a principal of ours, when it is not. */
  readonly unattributed?: 'aws-service' | 'federation-call' | 'unknown-identity';
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Resolves the actor of one event. */
export function resolveActor(userIdentity: unknown): Actor {
  const id = obj(userIdentity) ?? {};
  const type = str(id['type']) ?? 'Unknown';
  const account = str(id['accountId']);
  const session = obj(id['sessionContext']);
  const issuer = obj(session?.['sessionIssuer']);
  const sourceIdentity = str(session?.['sourceIdentity']) ?? str(id['sourceIdentity']);
  switch (type) {
    case 'IAMUser':
      return {
        type,
        principal: str(id['arn']),
        account,
        ...(sourceIdentity ? { sourceIdentity, person: sourceIdentity } : {}),
      };
    case 'Root':
      return {
        type,
        principal: str(id['arn']) ?? (account ? `arn:aws:iam::${account}:root` : undefined),
        account,
      };
    case 'AssumedRole': {
      const sessionArn = str(id['arn']);
      const sessionName = sessionArn?.split('/').pop();
      const roleArn = str(issuer?.['arn']) ?? roleArnOf(sessionArn);
      const roleName = roleArn?.split('/').pop() ?? '';
      // IAM Identity Center names the session after the person who signed in.
      // https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-using-cloudtrail.html
      const person = roleName.startsWith('AWSReservedSSO_') ? sessionName : sourceIdentity;
      return {
        type,
        principal: roleArn,
        account,
        ...(sessionName ? { sessionName } : {}),
        ...(sourceIdentity ? { sourceIdentity } : {}),
        ...(person ? { person } : {}),
      };
    }
    case 'FederatedUser': {
      // GetFederationToken sessions use the permissions of the IAM user that created them.
      const sessionName = str(id['arn'])?.split('/').pop();
      return {
        type,
        principal: str(issuer?.['arn']) ?? str(id['arn']),
        account,
        ...(sessionName ? { sessionName, person: sessionName } : {}),
      };
    }
    case 'AWSAccount':
      // Another account called: its own identity is not in this account's trail.
      return { type, principal: account ? `arn:aws:iam::${account}:root` : undefined, account };
    case 'AWSService':
      return { type, principal: undefined, account, unattributed: 'aws-service' };
    case 'SAMLUser':
    case 'WebIdentityUser':
      // The AssumeRoleWith* call itself: the role's trust policy decides, no permission is used.
      return {
        type,
        principal: undefined,
        account,
        ...(str(id['userName']) ? { person: str(id['userName'])! } : {}),
        unattributed: 'federation-call',
      };
    default:
      return {
        type,
        principal: str(id['arn']),
        account,
        ...(str(id['arn']) ? {} : { unattributed: 'unknown-identity' as const }),
      };
  }
}

/** `arn:aws:sts::A:assumed-role/R/S` → `arn:aws:iam::A:role/R` (the path is unknown here). */
function roleArnOf(sessionArn: string | undefined): string | undefined {
  const m = sessionArn
    ? /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(sessionArn)
    : undefined;
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}
