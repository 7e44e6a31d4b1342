/**
 * `npm run bench`: decisions per second of the request evaluator on one core, for a realistic mix
 * (bench/realistic-case.ts), once the policies are compiled. Each decision prepares its request
 * (context, derived keys) and evaluates it; `brief` skips the per-statement explanation.
 * Target (issue 2): at least 200,000 decisions/s on one core of the 2-core machine.
 */
import {
  evaluate,
  parseSimulationCase,
  prepareRequest,
  type PolicySet,
} from '../policy-model/index.js';
import { loadCatalog } from '../src/catalog.js';
import { realisticPolicies, realisticRequests } from './realistic-case.js';

const catalog = loadCatalog();
const requests = realisticRequests(4096);
const compiled = parseSimulationCase({ request: requests[0], ...realisticPolicies }, { catalog });
if (!compiled.ok)
  throw new Error(`benchmark case does not compile: ${JSON.stringify(compiled.errors)}`);
const set: PolicySet = compiled.set;
const now = new Date('2026-11-24T12:00:00Z');

/** One decision: prepare the request, evaluate it. A function of its own, so the JIT optimizes it whole. */
function decideOne(index: number, explain: boolean): string {
  const prepared = prepareRequest(requests[index & 4095]!, '/request', { now });
  if (!prepared.ok) throw new Error('bad request');
  return evaluate(prepared.value, set, { catalog, explain }).decision;
}

function run(
  explain: boolean,
  seconds: number,
): { perSecond: number; decisions: Record<string, number> } {
  const decisions: Record<string, number> = {};
  let count = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 1024; i += 1) {
      const decision = decideOne(count + i, explain);
      decisions[decision] = (decisions[decision] ?? 0) + 1;
    }
    count += 1024;
  }
  return { perSecond: count / ((performance.now() - started) / 1000), decisions };
}

// Warm-up in both modes: let the JIT settle on the shapes of both paths.
run(false, 1);
run(true, 1);
for (const [label, explain] of [
  ['brief (decisive statements only)', false],
  ['full explanation', true],
] as const) {
  const samples = [0, 1, 2].map(() => run(explain, 2));
  const rates = samples.map((s) => s.perSecond).sort((a, b) => a - b);
  console.log(
    `evaluate, ${label}: median ${Math.round(rates[1]!).toLocaleString('en-US')} decisions/s ` +
      `(min ${Math.round(rates[0]!).toLocaleString('en-US')}, max ${Math.round(rates[2]!).toLocaleString('en-US')}); ` +
      `mix ${JSON.stringify(samples[0]!.decisions)}`,
  );
}
console.log(
  `statements per decision: ${[...set.identity, set.boundary!, set.resource!, ...set.scpLevels!.flat(), ...set.rcpLevels!.flat()].reduce((n, p) => n + p.statements.length, 0)}`,
);
