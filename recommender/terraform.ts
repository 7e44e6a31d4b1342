/**
 * Terraform for a rewrite: an `aws_iam_policy_document` data source per proposed policy (statement
 * by statement, conditions as `condition` blocks) and the resource that puts it in place
 * (`aws_iam_role_policy` / `aws_iam_user_policy`, or `aws_iam_policy` with an attachment).
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document
 */
import type { ProposedPolicy } from './model.js';

/** A Terraform identifier from any name. */
export function tfName(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
  return id === '' ? 'policy' : id;
}

const str = (s: string) => JSON.stringify(s).replaceAll('${', '$${');
const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
const strList = (v: unknown) => `[${list(v).map(str).join(', ')}]`;

function statementBlock(s: Record<string, unknown>): string {
  const lines = ['  statement {'];
  if (typeof s['Sid'] === 'string') lines.push(`    sid       = ${str(s['Sid'])}`);
  lines.push(`    effect    = ${str(String(s['Effect']))}`);
  if (s['Action'] !== undefined) lines.push(`    actions   = ${strList(s['Action'])}`);
  if (s['NotAction'] !== undefined) lines.push(`    not_actions = ${strList(s['NotAction'])}`);
  if (s['Resource'] !== undefined) lines.push(`    resources = ${strList(s['Resource'])}`);
  if (s['NotResource'] !== undefined)
    lines.push(`    not_resources = ${strList(s['NotResource'])}`);
  const conditions = (s['Condition'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [test, keys] of Object.entries(conditions))
    for (const [variable, values] of Object.entries(keys))
      lines.push(
        '    condition {',
        `      test     = ${str(test)}`,
        `      variable = ${str(variable)}`,
        `      values   = ${strList(values)}`,
        '    }',
      );
  lines.push('  }');
  return lines.join('\n');
}

/** The Terraform for the proposed policies of a role or user. */
export function terraformFor(
  principal: { readonly type: 'user' | 'role'; readonly name: string },
  policies: readonly ProposedPolicy[],
): string {
  const blocks: string[] = [];
  for (const p of policies) {
    const id = tfName(p.name);
    blocks.push(
      `data "aws_iam_policy_document" ${str(id)} {\n${p.document.Statement.map(statementBlock).join('\n')}\n}`,
    );
    const json = `data.aws_iam_policy_document.${id}.json`;
    if (p.kind === 'managed') {
      const attach =
        principal.type === 'role'
          ? 'aws_iam_role_policy_attachment'
          : 'aws_iam_user_policy_attachment';
      const owner = principal.type === 'role' ? 'role' : 'user';
      blocks.push(
        `resource "aws_iam_policy" ${str(id)} {\n  name   = ${str(p.name)}\n  policy = ${json}\n}`,
        `resource ${str(attach)} ${str(id)} {\n  ${owner.padEnd(10)} = ${str(principal.name)}\n  policy_arn = aws_iam_policy.${id}.arn\n}`,
      );
    } else {
      const kind = principal.type === 'role' ? 'aws_iam_role_policy' : 'aws_iam_user_policy';
      const owner = principal.type === 'role' ? 'role' : 'user';
      blocks.push(
        `resource ${str(kind)} ${str(id)} {\n  name   = ${str(p.name)}\n  ${owner.padEnd(6)} = ${str(principal.name)}\n  policy = ${json}\n}`,
      );
    }
  }
  return `${blocks.join('\n\n')}\n`;
}
