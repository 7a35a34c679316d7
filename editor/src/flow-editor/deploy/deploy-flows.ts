import type { FlowItem } from '@loopedge/flows';
import type { ApiClient } from '../../api/api-client.js';
import { ApiRequestError, errorMessage } from '../../api/api-error.js';
import { nextDeployMeta, signDeploy } from '../../signing/index.js';
import type { EditorDocument } from '../model/index.js';

export type DeployType = 'full' | 'flows' | 'nodes';

/** GET /api/flows: the deployed flows, their revision and (with signed deploys) what a signature must name. */
export interface FlowsResponse {
  rev: string;
  flows: FlowItem[];
  signing?: { required: boolean; deviceId: string; target: string; version: number; hash: string | null };
}

/** Signs a deploy (editor/src/signing): the detached JWS the server checks when signing is required. */
export type DeploySigner = (flows: EditorDocument, meta: { target: string; version: number; prev: string | null }) => Promise<string>;

export type DeployOutcome =
  | { kind: 'deployed'; rev: string }
  | { kind: 'stale'; remote: FlowsResponse }
  | { kind: 'invalid'; message: string; problems: Map<string, string> }
  | { kind: 'failed'; message: string; problems: Map<string, string> };

/** Which node a failure names: the problems' nodeId, or "(node <id>)" in a start failure's message. */
export function problemsByNode(error: ApiRequestError): Map<string, string> {
  const byNode = new Map<string, string>();
  for (const problem of error.problems) {
    if (problem.nodeId) byNode.set(problem.nodeId, byNode.has(problem.nodeId) ? `${byNode.get(problem.nodeId)}; ${problem.message}` : problem.message);
  }
  const named = /\(node ([^)\s]+)\)/.exec(error.message);
  if (byNode.size === 0 && named) byNode.set(named[1]!, error.message);
  return byNode;
}

/**
 * One deploy: POST /api/flows with the editor's revision (signed when the server
 * asks for it). A stale revision comes back with the server's current flows so
 * the editor can show what changed and merge; a refusal names the nodes.
 */
export async function deployFlows(api: ApiClient, doc: EditorDocument, rev: string, type: DeployType, signing: FlowsResponse['signing'], user: string, sign?: DeploySigner): Promise<DeployOutcome> {
  const body: { flows: EditorDocument; rev: string; type: DeployType; signature?: string } = { flows: doc, rev, type };
  if (signing?.required) {
    // This browser's key (Admin → Signing keys), unless the caller signs another way.
    const signer: DeploySigner = sign ?? ((flows, meta) => signDeploy(flows, meta, user));
    try {
      body.signature = await signer(doc, nextDeployMeta(signing));
    } catch (error) {
      return { kind: 'failed', message: `This device only runs signed flows and the deploy could not be signed: ${errorMessage(error)}`, problems: new Map() };
    }
  }
  try {
    const answer = await api.post<{ rev: string }>('/api/flows', body);
    return { kind: 'deployed', rev: answer.rev };
  } catch (error) {
    if (error instanceof ApiRequestError) {
      if (error.code === 'stale-revision') return { kind: 'stale', remote: await api.get<FlowsResponse>('/api/flows') };
      if (error.code === 'flows-invalid') return { kind: 'invalid', message: error.message, problems: problemsByNode(error) };
      return { kind: 'failed', message: errorMessage(error), problems: problemsByNode(error) };
    }
    return { kind: 'failed', message: errorMessage(error), problems: new Map() };
  }
}
