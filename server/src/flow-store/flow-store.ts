import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { canonicalize, type FlowDocument, type FlowProblem } from '@loopedge/flows';
import type { DeployResult, DeployType, Runtime } from '@loopedge/runtime';

/** The revision of a flow set: a hash of its canonical form, so it survives restarts and means "these exact flows". */
export function flowRevision(doc: FlowDocument): string {
  return createHash('sha256').update(canonicalize(doc)).digest('hex').slice(0, 32);
}

export type DeployOutcome =
  | { ok: true; rev: string; result: DeployResult; removedNodeIds: string[] }
  | { ok: false; reason: 'stale-revision'; rev: string }
  | { ok: false; reason: 'invalid'; problems: FlowProblem[] }
  | { ok: false; reason: 'failed'; result: DeployResult };

/**
 * The deployed flows and their revision, and the one way to change them:
 * check the revision, deploy, write the flow file, all under one lock, so two
 * editors deploying at once cannot both win (the second gets 409).
 */
export class FlowStore {
  /** The revision, and the runtime's deploy counter it was computed at (a deploy elsewhere makes it stale). */
  #rev: { rev: string; at: string } | undefined;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runtime: Runtime,
    /** Where deployed flows are saved (the file `loopedge start` loaded). */
    readonly path: string,
  ) {}

  get rev(): string {
    if (this.#rev?.at !== this.runtime.revision) this.#rev = { rev: flowRevision(this.runtime.flows), at: this.runtime.revision };
    return this.#rev.rev;
  }

  get flows(): FlowDocument {
    return this.runtime.flows;
  }

  deploy(doc: unknown, expectedRev: string, type: DeployType): Promise<DeployOutcome> {
    const run = this.#lock.then(() => this.#deploy(doc, expectedRev, type));
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #deploy(doc: unknown, expectedRev: string, type: DeployType): Promise<DeployOutcome> {
    if (expectedRev !== this.rev) return { ok: false, reason: 'stale-revision', rev: this.rev };
    const problems = this.runtime.validate(doc);
    if (problems.length > 0) return { ok: false, reason: 'invalid', problems };
    const before = new Set(this.runtime.flows.map((item) => item.id));
    const result = await this.runtime.deploy(doc, { type });
    if (!result.ok) return result.problems.length > 0 ? { ok: false, reason: 'invalid', problems: result.problems } : { ok: false, reason: 'failed', result };
    const deployed = this.runtime.flows;
    for (const item of deployed) before.delete(item.id);
    saveFlowFile(this.path, deployed);
    return { ok: true, rev: this.rev, result, removedNodeIds: [...before] };
  }
}

/** Write-then-rename: a crash mid-write leaves the previous file, never half a file. */
function saveFlowFile(path: string, doc: FlowDocument): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(doc, null, 2)}\n`, { encoding: 'utf8', mode: 0o600 });
  renameSync(temporary, path);
}
