/**
 * IpAddress / NotIpAddress: IPv4 and IPv6 addresses and CIDR blocks (RFC 4632); an address without
 * a prefix length is a /32 (IPv4) or /128 (IPv6).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
 */
import { joinParts, type OperatorFamily } from './family.js';

/** An address as a number of the given bit width. */
interface Address {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

/** A CIDR block: every address whose first `prefix` bits equal the network's. */
export interface Cidr {
  readonly bits: 32 | 128;
  readonly network: bigint;
  readonly prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1))
    return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses an IPv4 or IPv6 address. */
export function parseAddress(text: string): Address | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseIpv6(trimmed);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIpv4(trimmed);
  return value === undefined ? undefined : { bits: 32, value };
}

/** Parses `address[/prefix]`. Host bits set in the address are ignored, as in a route. */
export function parseCidr(text: string): Cidr | undefined {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || addressText === undefined) return undefined;
  const address = parseAddress(addressText);
  if (!address) return undefined;
  let prefix: number = address.bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > address.bits) return undefined;
  }
  const shift = BigInt(address.bits - prefix);
  return { bits: address.bits, network: (address.value >> shift) << shift, prefix };
}

/** True when the address lies in the block. */
export function cidrContains(cidr: Cidr, address: Address): boolean {
  if (cidr.bits !== address.bits) return false;
  const shift = BigInt(cidr.bits - cidr.prefix);
  return (address.value >> shift) << shift === cidr.network;
}

/** IpAddress: the request address lies in the policy block. */
export const ipAddress: OperatorFamily<Cidr> = {
  invalidCode: 'invalid_cidr',
  parse: (parts) => parseCidr(joinParts(parts)),
  test: (value, cidr) => {
    const address = parseAddress(value);
    return address !== undefined && cidrContains(cidr, address);
  },
};
