/**
 * The set-up every collector test shares: replay servers and SDK clients started by a test are
 * closed after it, temporary directories removed, stubbed environment variables restored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, vi } from 'vitest';
import { destroyClients, type AwsClients } from '../../../src/collect/aws.js';
import type { ReplayServer } from './replay-server.js';

/** Registers the clean-up; returns what a test uses to have things cleaned up after it. */
export function collectTestHooks(prefix = 'leastpriv-collect-'): {
  /** Closes this server after the test; returns it. */
  server: (server: ReplayServer) => ReplayServer;
  /** Destroys these clients after the test; returns them. */
  clients: (clients: AwsClients) => AwsClients;
  /** A fresh temporary directory, removed after the test. */
  tempDir: () => string;
} {
  const servers: ReplayServer[] = [];
  const clients: AwsClients[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    vi.unstubAllEnvs();
    for (const c of clients.splice(0)) destroyClients(c);
    for (const s of servers.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    server: (server) => (servers.push(server), server),
    clients: (c) => (clients.push(c), c),
    tempDir: () => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
  };
}
