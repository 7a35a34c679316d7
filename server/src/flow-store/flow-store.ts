import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { canonicalize, type FlowDocument, type FlowProblem } from '@loopedge/flows';
import type { DeployResult, DeployType, Logger, Runtime } from '@loopedge/runtime';
import type { TrustedKeysApi } from '@loopedge/security';
import { readJsonFile } from '../bootstrap/read-json-file.js';
import { FlowVersioning, type DeployRefusal } from '../flow-versions/flow-versioning.js';
import { summarizeChange } from '../flow-versions/version-diff.js';
import type { FlowVersionInfo } from '../flow-versions/version-store.js';

/** The revision of a flow set: a hash of its canonical form, so it survives restarts and means "these exact flows". */
export function flowRevision(doc: FlowDocument): string {
  return createHash('sha256').update(canonicalize(doc)).digest('hex').slice(0, 32);
}

export type DeployOutcome =
  | { ok: true; rev: string; result: DeployResult; removedNodeIds: string[]; version?: FlowVersionInfo }
  | { ok: false; reason: 'stale-revision'; rev: string }
  | { ok: false; reason: 'invalid'; problems: FlowProblem[] }
  | { ok: false; reason: 'signature'; refusal: DeployRefusal; message: string; kid?: string }
  | { ok: false; reason: 'failed'; result: DeployResult };

export interface DeployExtras {
  /** Detached JWS over the whole resulting flow set (see @loopedge/security flow signing). */
  signature?: string;
  /** Who deployed, for the version history. */
  user?: string;
  /** Set when the flows are an old version deployed again. */
  rollbackOf?: number;
}

/** What GET /api/flows tells a signer: sign for `target`, a version above `version`, with prev = `hash`. */
export interface SigningState {
  required: boolean;
  deviceId: string;
  target: string;
  version: number;
  hash: string | null;
}

/**
 * The deployed flows and their revision, and the one way to change them:
 * check the revision and the signature, deploy, write the flow file, all under
 * one lock, so two editors deploying at once cannot both win (the second gets 409).
 * With versioning (the server always has it), each deploy is also a version:
 * pending row → runtime.deploy → flow file → applied row (README in flow-versions/).
 */
export class FlowStore {
  /** The revision, and the runtime's deploy counter it was computed at (a deploy elsewhere makes it stale). */
  #rev: { rev: string; at: string } | undefined;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runtime: Runtime,
    /** Where deployed flows are saved (the file `loopedge start` loaded). */
    readonly path: string,
    readonly versioning?: FlowVersioning,
  ) {}

  get rev(): string {
    if (this.#rev?.at !== this.runtime.revision) this.#rev = { rev: flowRevision(this.runtime.flows), at: this.runtime.revision };
    return this.#rev.rev;
  }

  get flows(): FlowDocument {
    return this.runtime.flows;
  }

  get signing(): SigningState | undefined {
    if (!this.versioning) return undefined;
    const current = this.versioning.current();
    const { deviceId } = this.versioning;
    return { required: this.versioning.policy.required, deviceId, target: deviceId, version: current?.version ?? 0, hash: current?.hash ?? null };
  }

  deploy(doc: FlowDocument, expectedRev: string, type: DeployType, extras: DeployExtras = {}): Promise<DeployOutcome> {
    const run = this.#lock.then(() => this.#deploy(doc, expectedRev, type, extras));
    this.#lock = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.versioning?.close();
  }

  async #deploy(doc: FlowDocument, expectedRev: string, type: DeployType, extras: DeployExtras): Promise<DeployOutcome> {
    // 1. Checks that touch nothing: revision, signature (before a single node stops), node configs.
    if (expectedRev !== this.rev) return { ok: false, reason: 'stale-revision', rev: this.rev };
    const check = this.versioning ? await this.versioning.check(doc, extras.signature) : undefined;
    if (check && !check.ok) return { ok: false, reason: 'signature', refusal: check.reason, message: check.message, ...(check.kid ? { kid: check.kid } : {}) };
    const problems = this.runtime.validate(doc);
    if (problems.length > 0) return { ok: false, reason: 'invalid', problems };

    // 2. The version row, pending: committed before the runtime changes.
    const previous = this.runtime.flows;
    const versions = this.versioning?.versions;
    const recorded = versions && check?.ok ? check : undefined;
    if (versions && recorded) {
      versions.addPending({
        version: recorded.version,
        hash: recorded.hash,
        flows: doc,
        ...(extras.signature !== undefined ? { signature: extras.signature } : {}),
        ...(recorded.signer ? { signer: recorded.signer } : {}),
        ...(extras.user !== undefined ? { user: extras.user } : {}),
        type: extras.rollbackOf !== undefined ? 'rollback' : type,
        ...(extras.rollbackOf !== undefined ? { rollbackOf: extras.rollbackOf } : {}),
        summary: summarizeChange(previous, doc),
      });
    }
    const discard = (): void => {
      if (versions && recorded) versions.discardPending(recorded.version);
    };

    // 3. Deploy: on failure the runtime has restored the previous flows; the row goes.
    const before = new Set(previous.map((item) => item.id));
    let result: DeployResult;
    try {
      result = await this.runtime.deploy(doc, { type });
    } catch (error) {
      discard();
      throw error;
    }
    if (!result.ok) {
      discard();
      return result.problems.length > 0 ? { ok: false, reason: 'invalid', problems: result.problems } : { ok: false, reason: 'failed', result };
    }

    // 4. The flow file (the truth after a crash), then the row is applied.
    const deployed = this.runtime.flows;
    try {
      saveFlowFile(this.path, deployed);
    } catch (error) {
      // The file still holds the previous set: run that again so file, runtime and history agree.
      discard();
      await this.runtime.deploy(previous, { type: 'full' });
      throw new Error(`The flows were not saved to ${this.path} (${(error as Error).message}); the previous flows were restored. Check the disk and deploy again.`, { cause: error });
    }
    if (versions && recorded) versions.markApplied(recorded.version);
    for (const item of deployed) before.delete(item.id);
    const version = versions && recorded ? versions.current() : undefined;
    return { ok: true, rev: this.rev, result, removedNodeIds: [...before], ...(version ? { version } : {}) };
  }
}

export interface OpenFlowStoreOptions {
  runtime: Runtime;
  flowFile: string;
  dataDir: string;
  trustedKeys: TrustedKeysApi;
  logger: Logger;
  clock?: () => number;
}

export interface OpenedFlowStore {
  store: FlowStore;
  /** Set when the flow file was refused at start: the flows to run instead (the last applied version). */
  startFlows?: FlowDocument;
  /** Where the refused flow file was moved. */
  refusedFile?: string;
}

/**
 * The server's flow store with its version history. Runs the start-up step of
 * the crash-safe apply: the flow file decides what an interrupted deploy was.
 */
export async function openFlowStore(options: OpenFlowStoreOptions): Promise<OpenedFlowStore> {
  const versioning = await FlowVersioning.open({
    dataDir: options.dataDir,
    trustedKeys: options.trustedKeys,
    settings: options.runtime.options.settings ?? {},
    logger: options.logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  try {
    removeUnfinishedSaves(options.flowFile);
    const fileFlows = readJsonFile(options.flowFile, 'flows-bad-json', 'Flow file') as FlowDocument;
    const outcome = versioning.reconcile(fileFlows);
    if (outcome.action === 'completed') options.logger.warn({ outcome }, 'A deploy cut short after its flows were saved was completed');
    else if (outcome.action === 'abandoned') options.logger.warn({ outcome }, 'A deploy cut short before its flows were saved was dropped; the previous version runs');
    else if (outcome.action === 'recorded-file') options.logger.info({ outcome }, 'The flow file is recorded as a new version (first start, or changed outside LoopEdge)');
    else if (outcome.action === 'refused-file') {
      // Keep what was found for whoever investigates, and put the verified flows back in the file.
      const kept = `${options.flowFile}.refused-${Date.now()}`;
      renameSync(options.flowFile, kept);
      saveFlowFile(options.flowFile, outcome.flows);
      options.logger.error(
        { version: outcome.version, kept },
        `The flow file is not the last signed version (${outcome.version}) and this device requires signed flows: version ${outcome.version} runs instead. The file found is kept as ${kept}; deploy it signed (loopedge flows deploy) if it is meant to run.`,
      );
      return { store: new FlowStore(options.runtime, options.flowFile, versioning), startFlows: outcome.flows, refusedFile: kept };
    }
  } catch (error) {
    versioning.close();
    throw error;
  }
  return { store: new FlowStore(options.runtime, options.flowFile, versioning) };
}

/** A save cut short by a kill leaves its temporary file; the flow file itself is whole (renamed or not). */
function removeUnfinishedSaves(flowFile: string): void {
  const prefix = `${basename(flowFile)}.`;
  for (const name of readdirSync(dirname(flowFile))) {
    if (name.startsWith(prefix) && /^\d+\.tmp$/.test(name.slice(prefix.length))) rmSync(join(dirname(flowFile), name), { force: true });
  }
}

/** Write, flush, rename: a crash or power loss mid-write leaves the previous file, never half a file. */
function saveFlowFile(path: string, doc: FlowDocument): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(doc, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
