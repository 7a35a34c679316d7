// Signed deploys on the device: who this device is (the signature's target), the
// `requireSignedFlows` policy, the version history and the key requests, over
// one SQLite file. The FlowStore asks it before a deploy and records through it.
import type { FlowDocument } from '@loopedge/flows';
import type { Logger } from '@loopedge/runtime';
import { flowSetHash, verifyFlowSignature, type FlowSignatureRefusal, type TrustedKeysApi } from '@loopedge/security';
import { loadOrCreateDeviceKey } from '../updates/device-key.js';
import { readDeviceIdentity } from '../updates/device-identity.js';
import { openFlowVersionsDatabase, readFlowSetting, writeFlowSetting, type FlowVersionsDatabase } from './flow-versions-db.js';
import { KeyRequestStore } from './key-requests.js';
import { summarizeChange } from './version-diff.js';
import { DEFAULT_VERSIONS_KEPT, FlowVersionStore, type FlowVersionInfo, type ReconcileOutcome } from './version-store.js';
import { StartupError } from '../bootstrap/startup-error.js';

/** A refusal of the signing library, or no signature while the policy needs one. */
export type DeployRefusal = FlowSignatureRefusal | 'missing-signature';

export type SignatureCheck =
  | { ok: true; version: number; hash: string; signer?: { kid: string; name: string } }
  | { ok: false; reason: DeployRefusal; message: string; kid?: string };

export interface SigningPolicy {
  /** What applies now. */
  required: boolean;
  /** What an admin set; undefined = the default (on once any flows key is in the trust store). */
  setting: boolean | undefined;
}

export interface FlowVersioningOptions {
  dataDir: string;
  trustedKeys: TrustedKeysApi;
  /** settings.json: `deviceId` (string), `deviceGroups` (array of strings) and `flowVersions.keep` are read here. */
  settings: Readonly<Record<string, unknown>>;
  logger: Logger;
  clock?: () => number;
}

const POLICY_KEY = 'requireSignedFlows';

export class FlowVersioning {
  readonly versions: FlowVersionStore;
  readonly keyRequests: KeyRequestStore;

  private constructor(
    private readonly db: FlowVersionsDatabase,
    private readonly trustedKeys: TrustedKeysApi,
    /** The target a signature must name: settings `deviceId`, else the device update key's id (unique, made on first use). */
    readonly deviceId: string,
    /** `group:<name>` targets this device accepts: device.json `groups` and settings `deviceGroups`. */
    readonly deviceGroups: readonly string[],
    clock: () => number,
    keep: number,
  ) {
    this.versions = new FlowVersionStore(db, clock, keep);
    this.keyRequests = new KeyRequestStore(db, clock);
  }

  static async open(options: FlowVersioningOptions): Promise<FlowVersioning> {
    const { settings, logger } = options;
    const keep = versionsKept(settings);
    const configuredId = typeof settings.deviceId === 'string' && settings.deviceId.trim() !== '' ? settings.deviceId.trim() : undefined;
    const deviceId = configuredId ?? (await loadOrCreateDeviceKey(options.dataDir)).keyId;
    const groups = new Set<string>();
    try {
      for (const group of readDeviceIdentity(options.dataDir).groups ?? []) groups.add(group);
    } catch (error) {
      // A broken device.json already stops updates; flows must still start.
      logger.warn({ err: error }, 'device.json cannot be read: its groups are not accepted as flow signature targets');
    }
    if (Array.isArray(settings.deviceGroups)) {
      for (const group of settings.deviceGroups) if (typeof group === 'string' && group !== '') groups.add(group);
    }
    const db = openFlowVersionsDatabase(options.dataDir);
    return new FlowVersioning(db, options.trustedKeys, deviceId, [...groups], options.clock ?? Date.now, keep);
  }

  get policy(): SigningPolicy {
    const stored = readFlowSetting(this.db, POLICY_KEY);
    const setting = stored === undefined ? undefined : stored === 'true';
    // Any flows key ever registered, revoked or expired too: revoking the last key must not quietly open unsigned deploys.
    return { required: setting ?? this.trustedKeys.list('flows').length > 0, setting };
  }

  setPolicy(setting: boolean | undefined): SigningPolicy {
    writeFlowSetting(this.db, POLICY_KEY, setting === undefined ? undefined : String(setting));
    return this.policy;
  }

  current(): FlowVersionInfo | undefined {
    return this.versions.current();
  }

  /** Start-up: see FlowVersionStore.reconcile. */
  reconcile(fileFlows: FlowDocument): ReconcileOutcome {
    return this.versions.reconcile(fileFlows, flowSetHash(fileFlows), (previous) => summarizeChange(previous ?? [], fileFlows), this.policy.required);
  }

  /**
   * Whether `flows` may be deployed, and as which version. A signature, when
   * given, is always checked (even with the policy off), so a signer always
   * learns about a bad one.
   */
  async check(flows: FlowDocument, signature: string | undefined): Promise<SignatureCheck> {
    const current = this.versions.current();
    if (signature === undefined) {
      if (this.policy.required) {
        return {
          ok: false,
          reason: 'missing-signature',
          message: `This device requires signed flows: sign the whole flow set for target "${this.deviceId}", version ${(current?.version ?? 0) + 1} or higher, prev ${current?.hash ?? 'null'} (loopedge flows sign) and send it as "signature".`,
        };
      }
      return { ok: true, version: (current?.version ?? 0) + 1, hash: flowSetHash(flows) };
    }
    const verification = await verifyFlowSignature(flows, signature, {
      trustedKeys: this.trustedKeys,
      deviceId: this.deviceId,
      deviceGroups: this.deviceGroups,
      currentVersion: current?.version ?? 0,
      currentHash: current?.hash ?? null,
    });
    if (!verification.ok) return { ok: false, reason: verification.reason, message: verification.message, ...(verification.kid ? { kid: verification.kid } : {}) };
    return { ok: true, version: verification.header.version, hash: verification.hash, signer: { kid: verification.key.id, name: verification.key.name } };
  }

  close(): void {
    this.db.close();
  }
}

/**
 * settings.json `flowVersions.keep`: how many applied versions the history
 * keeps (default DEFAULT_VERSIONS_KEPT). At least 2, so the version before the
 * running one can always be rolled back to.
 */
export function versionsKept(settings: Readonly<Record<string, unknown>>): number {
  const section = settings.flowVersions;
  if (section === undefined) return DEFAULT_VERSIONS_KEPT;
  const keep = section !== null && typeof section === 'object' && !Array.isArray(section) ? (section as Record<string, unknown>).keep : Number.NaN;
  if (keep === undefined) return DEFAULT_VERSIONS_KEPT;
  if (typeof keep !== 'number' || !Number.isSafeInteger(keep) || keep < 2) {
    throw new StartupError(
      'settings-invalid',
      `flowVersions in settings.json must be an object like { "keep": ${DEFAULT_VERSIONS_KEPT} }, where keep is a whole number of at least 2 (the running version and one to roll back to); got ${JSON.stringify(section)}. Remove it for the default of ${DEFAULT_VERSIONS_KEPT}.`,
    );
  }
  return keep;
}
