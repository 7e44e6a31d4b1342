import { describe, expect, it } from 'vitest';
import * as leastpriv from '../../src/index.js';

// The curated public surface: what `import … from 'leastpriv'` gives.
describe('library entry', () => {
  it('exports the documented functions and nothing internal', () => {
    expect(Object.keys(leastpriv).sort()).toEqual(
      [
        'POLICY_ERROR_CODES',
        'POLICY_WARNING_CODES',
        'SNAPSHOT_ISSUE_CODES',
        'ACCESS_LEVELS',
        'buildCatalog',
        'decide',
        'evaluate',
        'loadCatalog',
        'parsePolicy',
        'parseSimulationCase',
        'prepareRequest',
        'simulate',
        'buildSnapshot',
        'policyLevels',
        'effectivePermissions',
        'estatePermissions',
        'principalPermissions',
        'actionAccess',
        'actionFilter',
        'summarize',
        'sensitiveCapabilities',
        'whoCan',
        'loadSnapshot',
        'loadSensitiveActionTags',
        'loadAwsManagedPolicies',
        'openUsageStore',
        'ingestCloudTrail',
        'analyzeSnapshot',
        'recommend',
        'proveNoNewAccess',
        'proveUsageCovered',
        'credentialFindings',
        'usageFindings',
        'creepScore',
        'REPORT_SCHEMA_VERSION',
        'SEVERITIES',
        'renderReport',
        'REPORT_FORMATS',
        'REPORT_FILE_NAMES',
      ].sort(),
    );
  });

  it('compiles once and evaluates many times, as the README shows', () => {
    const policy = leastpriv.parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Read', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::bucket/*' },
        ],
      },
      { kind: 'identity', id: 'arn:aws:iam::111122223333:policy/read' },
    );
    expect(policy.ok).toBe(true);
    if (!policy.ok) return;
    const decide = (action: string) => {
      const request = leastpriv.prepareRequest({
        principal: 'arn:aws:iam::111122223333:user/alice',
        action,
        resource: 'arn:aws:s3:::bucket/key',
      });
      if (!request.ok) throw new Error('bad request');
      return leastpriv.evaluate(request.value, { identity: [policy.value] }, { explain: true });
    };
    expect(decide('s3:GetObject').decision).toBe('allow');
    expect(decide('s3:GetObject').explanation.decisive[0]).toMatchObject({
      policy: 'arn:aws:iam::111122223333:policy/read',
      sid: 'Read',
    });
    expect(decide('s3:PutObject').decision).toBe('implicit-deny');
  });

  it('opens a usage store and ingests a trail', async () => {
    const store = await leastpriv.openUsageStore(':memory:');
    const summary = await leastpriv.ingestCloudTrail('fixtures/cloudtrail', store);
    expect(summary.records).toBe(413);
    expect((await store.usage({ asOf: '2024-12-31', windowDays: 400 })).length).toBeGreaterThan(10);
    await store.close();
  });

  it('loads the catalog once with its version', () => {
    const catalog = leastpriv.loadCatalog();
    expect(catalog.version).toMatch(/^@cloud-copilot\/iam-data@\d/);
    expect(catalog.services.get('s3')?.actions.get('getobject')?.accessLevel).toBe('Read');
    expect(leastpriv.loadCatalog()).toBe(catalog);
  });
});
