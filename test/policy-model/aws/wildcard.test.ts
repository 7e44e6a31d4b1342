import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobParts } from '../../../policy-model/aws/wildcard.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
describe('compileGlob', () => {
  it.each([
    ['*', '', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
    ['arn:aws:s3:::bucket/*/test/*', 'arn:aws:s3:::bucket//test/x', true],
    ['arn:aws:s3:::bucket/?', 'arn:aws:s3:::bucket/ab', false],
    ['arn:aws:s3:::bucket/?', 'arn:aws:s3:::bucket/a', true],
    ['arn:aws:s3:::b.c+d(e)', 'arn:aws:s3:::b.c+d(e)', true],
    ['arn:aws:s3:::b.c', 'arn:aws:s3:::bxc', false],
    ['a*b*c', 'a\nb\nc', true],
  ])('%s matches %j: %s', (glob, input, expected) => {
    expect(compileGlob(glob)(input)).toBe(expected);
  });

  it('is case-sensitive unless asked otherwise (actions are not, resources are)', () => {
    expect(compileGlob('arn:aws:iam::1:user/Bob')('arn:aws:iam::1:user/bob')).toBe(false);
    expect(compileGlob('S3:Get*', true)('s3:getobject')).toBe(true);
  });

  it('treats literal parts (substituted variables, ${*}) as plain characters', () => {
    const test = compileGlobParts([
      { text: 'home/', literal: false },
      { text: '*', literal: true },
      { text: '/*', literal: false },
    ]);
    expect(test('home/*/file')).toBe(true);
    expect(test('home/alice/file')).toBe(false);
  });
});
