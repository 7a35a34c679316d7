import type { FlowItem } from '@loopedge/flows';
import type { ApiClient } from '../../api/api-client.js';
import { errorMessage } from '../../api/api-error.js';
import { nextDeployMeta, signDeploy } from '../../signing/index.js';
import type { DeploySigner, FlowsResponse } from '../deploy/deploy-flows.js';
import type { VersionInfo } from './version-diff-view.js';

/** GET /api/flow-versions */
export interface VersionList {
  current: number;
  total: number;
  versions: VersionInfo[];
}

/** GET /api/flow-versions/:version */
export interface StoredVersion extends VersionInfo {
  flows: FlowItem[];
}

export function listVersions(api: ApiClient, limit = 100): Promise<VersionList> {
  return api.get<VersionList>('/api/flow-versions', { query: { limit } });
}

/**
 * Reads versions' flows once per panel: a stored version never changes, so the
 * cache is only dropped when the panel closes.
 */
export function versionReader(api: ApiClient): (version: number) => Promise<StoredVersion> {
  const cache = new Map<number, Promise<StoredVersion>>();
  return (version) => {
    let found = cache.get(version);
    if (!found) {
      found = api.get<StoredVersion>(`/api/flow-versions/${version}`);
      // A failed read is retried next time rather than cached.
      found.catch(() => cache.delete(version));
      cache.set(version, found);
    }
    return found;
  };
}

export type RollbackOutcome = { kind: 'deployed'; rev: string; version?: number } | { kind: 'failed'; message: string };

/**
 * Rolls back to `target`: a new deploy of its flows. When the device requires
 * signed flows, they are signed for the next version over what runs now
 * (`running`: GET /api/flows read just before the person confirmed), exactly
 * as a deploy from the canvas is; `running.rev` makes a deploy by someone else
 * in the meantime a refusal instead of a silent overwrite.
 */
export async function rollBack(api: ApiClient, target: StoredVersion, running: FlowsResponse, user: string, sign?: DeploySigner): Promise<RollbackOutcome> {
  const body: { rev: string; signature?: string } = { rev: running.rev };
  if (running.signing?.required) {
    const signer: DeploySigner = sign ?? ((flows, meta) => signDeploy(flows, meta, user));
    try {
      body.signature = await signer(target.flows, nextDeployMeta(running.signing));
    } catch (error) {
      return { kind: 'failed', message: `This device only runs signed flows and the rollback could not be signed: ${errorMessage(error)}` };
    }
  }
  try {
    const answer = await api.post<{ rev: string; version?: number }>(`/api/flow-versions/${target.version}/rollback`, body);
    return { kind: 'deployed', rev: answer.rev, ...(answer.version !== undefined ? { version: answer.version } : {}) };
  } catch (error) {
    return { kind: 'failed', message: `Rollback to version ${target.version} failed: ${errorMessage(error)}` };
  }
}
