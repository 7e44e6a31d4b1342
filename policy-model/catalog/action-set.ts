/**
 * Sets of catalog actions as bitsets over the catalog's action numbers: a whole policy's actions
 * fit in about 2.8 KB (22,000 actions), and combining policies is a few hundred word operations.
 */

/** A set of action numbers. Treat as immutable: every operation returns a new set. */
export type ActionSet = Uint32Array;

/** An empty set sized for `size` actions. */
export function emptySet(size: number): ActionSet {
  return new Uint32Array((size + 31) >>> 5);
}

/** The set of every action number below `size`. */
export function fullSet(size: number): ActionSet {
  const set = emptySet(size);
  set.fill(0xffffffff);
  const extra = set.length * 32 - size;
  if (extra > 0) set[set.length - 1] = 0xffffffff >>> extra;
  return set;
}

/** Adds one action number (mutates: only for building a new set). */
export function addTo(set: ActionSet, action: number): void {
  set[action >>> 5]! |= 1 << (action & 31);
}

/** True when the set holds the action number. */
export function has(set: ActionSet, action: number): boolean {
  return (set[action >>> 5]! & (1 << (action & 31))) !== 0;
}

/** target ∪= source, in place: only for a set the caller has just created (no sharing yet). */
export function unionInto(target: ActionSet, source: ActionSet): void {
  for (let i = 0; i < target.length; i += 1) target[i]! |= source[i]!;
}

/** a ∪ b */
export function union(a: ActionSet, b: ActionSet): ActionSet {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = a[i]! | b[i]!;
  return out;
}

/** a ∩ b */
export function intersect(a: ActionSet, b: ActionSet): ActionSet {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = a[i]! & b[i]!;
  return out;
}

/** a \ b */
export function difference(a: ActionSet, b: ActionSet): ActionSet {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = a[i]! & ~b[i]!;
  return out;
}

/** Every action of `size` not in the set. */
export function complement(a: ActionSet, size: number): ActionSet {
  return difference(fullSet(size), a);
}

/** The number of actions in the set. */
export function count(a: ActionSet): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 1) {
    let v = a[i]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

/** The action numbers in the set, ascending. */
export function members(a: ActionSet): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 1) {
    let v = a[i]!;
    while (v !== 0) {
      const bit = v & -v;
      out.push(i * 32 + 31 - Math.clz32(bit));
      v ^= bit;
    }
  }
  return out;
}
