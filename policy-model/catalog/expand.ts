/**
 * Expanding `Action` / `NotAction` through the catalog into action sets. Results are cached per
 * statement element, so a policy shared by many principals is expanded once.
 */
import type { ActionElement, ActionPattern } from '../aws/policy.js';
import { addTo, complement, emptySet, type ActionSet } from './action-set.js';
import type { Catalog } from './catalog.js';

const lowerNamesCache = new WeakMap<Catalog, readonly string[]>();

/** Lower-cased `service:action` names by action number. */
function lowerNames(catalog: Catalog): readonly string[] {
  let names = lowerNamesCache.get(catalog);
  if (!names) {
    names = catalog.actions.map((a) => a.fullName.toLowerCase());
    lowerNamesCache.set(catalog, names);
  }
  return names;
}

/** The catalog actions one action pattern covers, added to `set`. */
function addPattern(catalog: Catalog, pattern: ActionPattern, set: ActionSet): void {
  const names = lowerNames(catalog);
  const text = pattern.text.toLowerCase();
  const colon = text.indexOf(':');
  const serviceText = colon === -1 ? '' : text.slice(0, colon);
  const literalService = colon !== -1 && !/[*?]/.test(serviceText);
  if (literalService) {
    const service = catalog.services.get(serviceText);
    if (!service) return;
    const name = text.slice(colon + 1);
    if (!/[*?]/.test(name)) {
      const action = service.actions.get(name);
      if (action) addTo(set, action.id);
      return;
    }
    for (let id = service.first; id < service.first + service.actions.size; id += 1) {
      if (pattern.test(names[id]!)) addTo(set, id);
    }
    return;
  }
  for (let id = 0; id < names.length; id += 1) if (pattern.test(names[id]!)) addTo(set, id);
}

const cache = new WeakMap<Catalog, WeakMap<ActionElement, ActionSet>>();

/** The catalog actions a statement's `Action` (or, for `NotAction`, its complement) covers. */
export function actionSetOf(catalog: Catalog, element: ActionElement): ActionSet {
  let perCatalog = cache.get(catalog);
  if (!perCatalog) {
    perCatalog = new WeakMap();
    cache.set(catalog, perCatalog);
  }
  const cached = perCatalog.get(element);
  if (cached) return cached;
  const listed = emptySet(catalog.actions.length);
  for (const pattern of element.patterns) addPattern(catalog, pattern, listed);
  const set = element.kind === 'action' ? listed : complement(listed, catalog.actions.length);
  perCatalog.set(element, set);
  return set;
}
