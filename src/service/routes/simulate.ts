/**
 * `POST /v1/simulate`: one case, or `{ "cases": [...] }`, answered exactly as
 * `leastpriv simulate` answers them (the same function, the same catalog, explained unless
 * `?brief=true`).
 */
import { simulate, type Catalog } from '../../../policy-model/index.js';
import type { RouteSpec } from './route.js';

/** The simulate route over a catalog loaded once. */
export function simulateRoute(catalog: Catalog): RouteSpec {
  return {
    method: 'post',
    path: '/v1/simulate',
    operationId: 'simulate',
    summary:
      'evaluate one case or a batch of up to 1,000; a case that cannot be evaluated answers its error in place',
    access: 'simulate',
    body: 'SimulateBody',
    query: 'SimulateQuery',
    responses: {
      '200': {
        description: 'the answer (one case) or `{ "answers": [...] }` in input order (a batch)',
        schema: 'SimulationAnswer',
      },
    },
    handler: (req, res) => {
      const options = { catalog, explain: req.query['brief'] !== 'true' };
      const body = req.body as Record<string, unknown>;
      if (Array.isArray(body['cases']))
        res.json({ answers: body['cases'].map((c: unknown) => simulate(c, options)) });
      else res.json(simulate(body, options));
    },
  };
}
