/**
 * Maps a CloudTrail event (`eventSource`, `eventName`) to the IAM action(s) the call exercised,
 * from the shipped data (`usage/data/cloudtrail-action-map.json`, see `usage/data/README.md`).
 * Pure: the caller reads the JSON. An event that cannot be mapped to catalog actions is reported
 * as unmapped with a reason, never guessed.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import type { Catalog } from '../../policy-model/index.js';

/** An action needed only when the request has the parameter `when` names (see usage/data/README.md). */
export interface ConditionalAction {
  readonly action: string;
  readonly when: string;
}

/** One known mapping of an operation: actions always needed, and actions needed for some requests. */
export interface ActionMapEntry {
  readonly actions: readonly string[];
  readonly conditional: readonly ConditionalAction[];
  readonly rule: 'renamed' | 'sdk-map';
}

/** The loaded action map, indexed for lookups (keys lower-cased). */
export interface ActionMap {
  readonly version: string;
  /** Event source → IAM service prefix, for sources whose prefix is not the host name. */
  readonly eventSources: ReadonlyMap<string, string>;
  /** `prefix:operation` (lower-cased) → the hand-verified or SDK-derived mapping. */
  readonly entries: ReadonlyMap<string, ActionMapEntry>;
}

/** The result of mapping one (eventSource, eventName) pair. */
export type EventMapping =
  | {
      readonly ok: true;
      readonly actions: readonly string[];
      readonly conditional?: readonly { action: string; when: string }[];
      readonly rule: 'direct' | 'version-suffix' | 'renamed' | 'sdk-map';
    }
  | {
      readonly ok: false;
      readonly reason: 'unknown_event_source' | 'unknown_action';
      readonly prefix: string;
      readonly eventName: string;
    };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

/** Reads one `{ actions, conditional? }` entry of the JSON, or throws naming where it is broken. */
function readEntry(raw: unknown, path: string, rule: ActionMapEntry['rule']): ActionMapEntry {
  if (!isObject(raw)) throw new Error(`action map: ${path} is not an object`);
  const actions = raw['actions'];
  if (!Array.isArray(actions) || actions.length === 0)
    throw new Error(`action map: ${path}/actions is not a non-empty array`);
  actions.forEach((a, i) => {
    if (typeof a !== 'string' || !ACTION.test(a))
      throw new Error(`action map: ${path}/actions/${i} is not an action name`);
  });
  const conditional: ConditionalAction[] = [];
  const rawConditional = raw['conditional'] ?? [];
  if (!Array.isArray(rawConditional))
    throw new Error(`action map: ${path}/conditional is not an array`);
  rawConditional.forEach((c: unknown, i) => {
    if (
      !isObject(c) ||
      typeof c['action'] !== 'string' ||
      !ACTION.test(c['action']) ||
      typeof c['when'] !== 'string' ||
      c['when'] === ''
    )
      throw new Error(`action map: ${path}/conditional/${i} is not { action, when }`);
    conditional.push({ action: c['action'], when: c['when'] });
  });
  return { actions: actions as string[], conditional, rule };
}

/** Validates the shipped JSON and indexes it; throws on a malformed file (a broken invariant). */
export function loadActionMap(json: unknown): ActionMap {
  if (!isObject(json)) throw new Error('action map: not a JSON object');
  const version = json['version'];
  if (typeof version !== 'string' || version === '')
    throw new Error('action map: /version is missing');
  const rawSources = json['eventSources'];
  if (!isObject(rawSources)) throw new Error('action map: /eventSources is not an object');
  const eventSources = new Map<string, string>();
  for (const [source, prefix] of Object.entries(rawSources)) {
    if (typeof prefix !== 'string' || prefix === '')
      throw new Error(`action map: /eventSources/${source} is not a prefix`);
    eventSources.set(source.toLowerCase(), prefix.toLowerCase());
  }
  const entries = new Map<string, ActionMapEntry>();
  // The derived SDK map first, then the hand-verified table, which wins.
  for (const [part, rule] of [
    ['sdkMap', 'sdk-map'],
    ['renamed', 'renamed'],
  ] as const) {
    const byPrefix = json[part];
    if (!isObject(byPrefix)) throw new Error(`action map: /${part} is not an object`);
    for (const [prefix, ops] of Object.entries(byPrefix)) {
      if (!isObject(ops)) throw new Error(`action map: /${part}/${prefix} is not an object`);
      for (const [op, raw] of Object.entries(ops))
        entries.set(
          `${prefix}:${op}`.toLowerCase(),
          readEntry(raw, `/${part}/${prefix}/${op}`, rule),
        );
    }
  }
  return { version, eventSources, entries };
}

/**
 * API-version suffixes some services append to the operation in `eventName`: Lambda
 * (`UpdateFunctionCode20150331v2`, `PublishLayerVersion20181031`) and CloudFront
 * (`CreateDistribution2020_05_31`). Only a date-shaped tail is taken off, and only when the name
 * as recorded does not map.
 * https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/logging_using_cloudtrail.html
 */
const VERSION_SUFFIX =
  /^([A-Za-z][A-Za-z0-9]*?[A-Za-z])(?:(?:19|20)\d{6}(?:v\d+)?|(?:19|20)\d{2}_\d{2}_\d{2})$/;

/** The IAM service prefix of an event source: the shipped table, else the host name's first label. */
export function prefixOf(map: ActionMap, eventSource: string): string {
  const source = eventSource.toLowerCase();
  const listed = map.eventSources.get(source);
  if (listed !== undefined) return listed;
  return source.endsWith('.amazonaws.com') ? source.slice(0, -'.amazonaws.com'.length) : source;
}

type Found =
  | { readonly kind: 'entry'; readonly entry: ActionMapEntry }
  | { readonly kind: 'direct'; readonly action: string }
  | undefined;

/** The mapping of one operation name: a map entry wins over the catalog's action of that name. */
function find(map: ActionMap, catalog: Catalog, prefix: string, op: string): Found {
  const entry = map.entries.get(`${prefix}:${op.toLowerCase()}`);
  if (entry) return { kind: 'entry', entry };
  const action = catalog.services.get(prefix)?.actions.get(op.toLowerCase());
  return action ? { kind: 'direct', action: action.fullName } : undefined;
}

/** The catalog spelling of `service:Name`, or undefined when the catalog does not have it. */
function inCatalog(catalog: Catalog, action: string): string | undefined {
  const colon = action.indexOf(':');
  return catalog.services
    .get(action.slice(0, colon).toLowerCase())
    ?.actions.get(action.slice(colon + 1).toLowerCase())?.fullName;
}

/** Maps one (eventSource, eventName) pair to the catalog actions it exercised. */
export function mapEvent(
  map: ActionMap,
  catalog: Catalog,
  eventSource: string,
  eventName: string,
): EventMapping {
  const prefix = prefixOf(map, eventSource);
  const unmapped = (reason: 'unknown_event_source' | 'unknown_action'): EventMapping => ({
    ok: false,
    reason,
    prefix,
    eventName,
  });
  if (!catalog.services.has(prefix)) return unmapped('unknown_event_source');

  let found = find(map, catalog, prefix, eventName);
  let stripped = false;
  if (!found) {
    const m = VERSION_SUFFIX.exec(eventName);
    if (m?.[1]) {
      found = find(map, catalog, prefix, m[1]);
      stripped = true;
    }
  }
  if (!found) return unmapped('unknown_action');
  if (found.kind === 'direct')
    return { ok: true, actions: [found.action], rule: stripped ? 'version-suffix' : 'direct' };

  // Every action of the entry, conditional ones included, must be in the catalog: a mapping that
  // names an action the catalog does not know is stale, and half of it would be a guess.
  const actions: string[] = [];
  for (const a of found.entry.actions) {
    const name = inCatalog(catalog, a);
    if (name === undefined) return unmapped('unknown_action');
    if (!actions.includes(name)) actions.push(name);
  }
  const conditional: { action: string; when: string }[] = [];
  for (const c of found.entry.conditional) {
    const name = inCatalog(catalog, c.action);
    if (name === undefined) return unmapped('unknown_action');
    conditional.push({ action: name, when: c.when });
  }
  return {
    ok: true,
    actions,
    ...(conditional.length > 0 ? { conditional } : {}),
    rule: found.entry.rule,
  };
}
