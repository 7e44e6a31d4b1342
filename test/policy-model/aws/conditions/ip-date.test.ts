import { describe, expect, it } from 'vitest';
import { parseDate } from '../../../../policy-model/aws/conditions/date.js';
import {
  cidrContains,
  parseAddress,
  parseCidr,
} from '../../../../policy-model/aws/conditions/ip.js';

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
describe('IP addresses and CIDR blocks', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['203.0.113.7', '203.0.113.7', true],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::ffff:0:0/96', '::ffff:192.0.2.1', true],
    ['2001:DB8:0:0:8:800:200C:417A/128', '2001:db8::8:800:200c:417a', true],
    ['10.0.0.0/8', '::ffff:10.0.0.1', false],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    const block = parseCidr(cidr);
    const ip = parseAddress(address);
    expect(block && ip && cidrContains(block, ip)).toBe(expected);
  });

  it.each([
    '10.0.0.0/33',
    '256.0.0.1',
    '10.0.0',
    '1.2.3.4/8/9',
    '2001:db8:::1',
    '2001:db8::/129',
    '01.2.3.4',
    'abc',
  ])('rejects %s', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
describe('dates', () => {
  it('reads ISO 8601 dates, date-times with zones, and epoch seconds as the same instant', () => {
    expect(parseDate('2026-11-24')).toBe(Date.UTC(2026, 10, 24));
    expect(parseDate('2026-11-24T12:00:00Z')).toBe(Date.UTC(2026, 10, 24, 12));
    expect(parseDate('2026-11-24T13:00:00+01:00')).toBe(Date.UTC(2026, 10, 24, 12));
    expect(parseDate('2026-11-24T12:00:00.500Z')).toBe(Date.UTC(2026, 10, 24, 12) + 500);
    expect(parseDate(String(Date.UTC(2026, 10, 24) / 1000))).toBe(Date.UTC(2026, 10, 24));
  });

  it.each(['2026-02-30', '2026-13-01', 'yesterday', '2026/11/24', ''])('rejects %j', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });
});
