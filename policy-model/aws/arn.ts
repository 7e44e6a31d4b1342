/**
 * ARN syntax: `arn:partition:service:region:account-id:resource`, where region and account may be
 * empty and the resource part may itself hold colons.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */

/** The six parts of an ARN. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN into its parts, or `undefined` when the text is not an ARN. */
export function parseArn(text: string): Arn | undefined {
  if (!text.startsWith('arn:')) return undefined;
  const parts = text.split(':');
  if (parts.length < 6) return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  const resource = parts.slice(5).join(':');
  if (partition.length === 0 || service.length === 0 || resource.length === 0) return undefined;
  return { partition, service, region, account, resource };
}

/** True for a 12-digit AWS account id. */
export function isAccountId(text: string): boolean {
  return /^\d{12}$/.test(text);
}
