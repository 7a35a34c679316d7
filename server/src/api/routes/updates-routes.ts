import { Type } from '@sinclair/typebox';
import { linkedRelease, type InstalledRelease } from '../../updates/release-store.js';
import { UpdateError } from '../../updates/update-error.js';
import { ApiError } from '../errors.js';
import { IdParam, StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';
import { requirePrincipal } from './shared.js';

// Admin only ('security:write'): an update changes what code runs on the device.
// The upload is audited here ('update.upload'); every apply, refusal and rollback by the UpdateService.

const Json = Type.Record(Type.String(), Type.Unknown());
const ReleaseSchema = Type.Union([Type.Null(), Type.Object({ version: Type.String(), releaseNotes: Type.String(), modules: Type.Array(Json) })]);
const UpdateJobSchema = Type.Object({
  id: Type.String(),
  state: Type.Union(['receiving', 'applying', 'applied', 'rolled-back', 'refused'].map((s) => Type.Literal(s))),
  actor: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
  progress: Json,
  result: Type.Optional(Json),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

function releaseInfo(release: InstalledRelease | undefined) {
  if (!release) return null;
  return { version: release.version, releaseNotes: release.manifest.releaseNotes, modules: release.manifest.modules };
}

export const updatesRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/updates',
    permission: 'security:write',
    tag: 'updates',
    summary: 'The running and previous release, recent update jobs, and the device update key packages must be encrypted to',
    response: {
      status: 200,
      description: 'Update status',
      schema: Type.Object({
        current: ReleaseSchema,
        previous: ReleaseSchema,
        jobs: Type.Array(UpdateJobSchema),
        deviceKey: Type.Object({ keyId: Type.String(), publicKeyPem: Type.String() }),
      }),
    },
    async handler({ services }) {
      const key = await services.updates.service.deviceKey();
      return {
        body: {
          current: releaseInfo(services.updates.service.current()),
          previous: releaseInfo(linkedRelease(services.updates.dataDir, 'previous')),
          jobs: services.updates.list(),
          deviceKey: { keyId: key.keyId, publicKeyPem: key.publicKeyPem },
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/updates',
    permission: 'security:write',
    tag: 'updates',
    summary: 'Upload an update package (.upd, application/octet-stream) and apply it; follow GET /api/updates/:id or the `update-progress` event',
    streamsBody: { contentType: 'application/octet-stream' },
    response: { status: 202, description: 'Received; being applied', schema: Type.Object({ job: UpdateJobSchema }) },
    async handler({ req, principal, services, sourceIp }) {
      try {
        const length = req.headers['content-length'];
        const job = await services.updates.receive(req, { actor: requirePrincipal(principal).user.username, sourceIp }, length === undefined ? undefined : Number(length));
        return { status: 202, body: { job } };
      } catch (error) {
        if (!(error instanceof UpdateError)) throw error;
        if (error.code === 'update-in-progress') throw new ApiError('update-in-progress', error.message);
        if (error.code === 'package-too-large') throw new ApiError('body-too-large', error.message);
        throw new ApiError('update-refused', error.message, { details: { reason: error.code } });
      }
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/updates/:id',
    permission: 'security:write',
    params: StrictObject({ id: IdParam }),
    tag: 'updates',
    summary: 'One update job: its phase and progress while running, then its result (applied, rolled back with the reason, or refused with the reason)',
    response: { status: 200, description: 'The job', schema: Type.Object({ job: UpdateJobSchema }) },
    handler({ params, services }) {
      const job = services.updates.get(params.id);
      if (!job) throw new ApiError('not-found', `No update job ${params.id} (only the last 20 are kept, and none survive a restart). List them with GET /api/updates.`);
      return { body: { job } };
    },
  }),
];
