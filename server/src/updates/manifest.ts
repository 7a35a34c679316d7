// The signed manifest: what a package holds and where it may go. Checked with
// one schema before any field is trusted.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { UpdateError } from './update-error.js';
import { isVersion } from './version-order.js';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Size = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const ModuleKindSchema = Type.Union([Type.Literal('runtime'), Type.Literal('nodes'), Type.Literal('flows'), Type.Literal('config')]);

export const ManifestModuleSchema = Type.Object({
  name: Name,
  version: Type.String({ minLength: 1, maxLength: 64 }),
  kind: ModuleKindSchema,
  /** SHA-256 of the module's archive bytes */
  sha256: Sha256Hex,
  /** archive bytes in the payload */
  size: Size,
  /** bytes the files take once unpacked */
  unpackedSize: Size,
});

export const UpdateManifestSchema = Type.Object({
  format: Type.Literal(1),
  version: Type.String({ minLength: 5, maxLength: 64 }),
  target: Type.Object({
    /** device model, or '*' for any */
    model: Type.String({ minLength: 1, maxLength: 100 }),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  }),
  /** the oldest running release this package may upgrade */
  minFromVersion: Type.Optional(Type.String({ minLength: 5, maxLength: 64 })),
  /** signed permission to install over a newer release */
  rollback: Type.Optional(Type.Boolean()),
  releaseNotes: Type.String({ maxLength: 64 * 1024 }),
  createdAt: Type.String({ maxLength: 40 }),
  /** the runtime entry script, relative to the release folder (`modules/<name>/...`) */
  entry: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
  modules: Type.Array(ManifestModuleSchema, { minItems: 1, maxItems: 100 }),
});

export type UpdateManifest = Static<typeof UpdateManifestSchema>;
export type ManifestModule = Static<typeof ManifestModuleSchema>;

export function parseManifest(json: unknown): UpdateManifest {
  if (!Value.Check(UpdateManifestSchema, json)) {
    const problems = [...Value.Errors(UpdateManifestSchema, json)].slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
    throw new UpdateError('manifest-invalid', `The signed manifest is not valid: ${problems.join('; ')}. Rebuild the package with "loopedge update pack".`);
  }
  for (const field of [json.version, json.minFromVersion]) {
    if (field !== undefined && !isVersion(field)) throw new UpdateError('manifest-invalid', `The manifest version "${field}" is not major.minor.patch.`);
  }
  const names = new Set<string>();
  for (const module of json.modules) {
    if (names.has(module.name)) throw new UpdateError('manifest-invalid', `The manifest lists the module "${module.name}" twice.`);
    names.add(module.name);
  }
  return json;
}
