import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../policy-model/aws/request.js';
import {
  parseResourceTemplate,
  parseTemplate,
  resolveToString,
} from '../../../policy-model/aws/variables.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
const context = (values: Record<string, string | string[]>) => {
  const prepared = prepareRequest({
    principal: 'arn:aws:iam::111122223333:user/alice',
    action: 's3:GetObject',
    resource: '*',
    context: values,
  });
  if (!prepared.ok) throw new Error('bad request');
  return prepared.value.context;
};

describe('policy variables', () => {
  it('substitutes keys case-insensitively and derives aws:username for users', () => {
    const parsed = parseTemplate('home/${AWS:UserName}/${aws:PrincipalTag/Team}', true);
    expect(
      parsed.ok && resolveToString(parsed.value, context({ 'aws:principaltag/team': 'data' })),
    ).toBe('home/alice/data');
  });

  it('uses the default value when the key is missing, and nothing otherwise', () => {
    const withDefault = parseTemplate("${aws:PrincipalTag/team, 'none'}", true);
    const without = parseTemplate('${aws:PrincipalTag/team}', true);
    expect(withDefault.ok && resolveToString(withDefault.value, context({}))).toBe('none');
    expect(without.ok && resolveToString(without.value, context({}))).toBeUndefined();
  });

  it('does not substitute a multivalued key', () => {
    const parsed = parseTemplate('${aws:TagKeys}', true);
    expect(
      parsed.ok && resolveToString(parsed.value, context({ 'aws:TagKeys': ['a'] })),
    ).toBeUndefined();
  });

  it('keeps ${…} as text under Version 2008-10-17', () => {
    const parsed = parseTemplate('home/${aws:username}', false);
    expect(parsed.ok && parsed.value.hasVariables).toBe(false);
  });

  it('rejects an unterminated variable', () => {
    expect(parseTemplate('home/${aws:username', true).ok).toBe(false);
  });

  it('substitutes in a Resource only after the fifth colon', () => {
    const parsed = parseResourceTemplate(
      'arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}',
      true,
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(resolveToString(parsed.value, context({}))).toBe(
      'arn:aws:iam::${aws:PrincipalAccount}:user/alice',
    );
  });
});
