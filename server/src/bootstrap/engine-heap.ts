/**
 * The V8 heap settings LoopEdge's engine process is started with (by
 * `npm start` and by `loopedge supervise`, and by the benchmark the same way).
 *
 * Why: an edge box runs for months next to other software, so the engine's
 * memory should follow its live data, not V8's appetite. V8 sizes the heap for
 * the machine it finds: on a box with 8 GB or more it lets old space grow to
 * about four times what is live before compacting, so under a burst of 35,000
 * msg/s the engine (37 MB live) reached ~240 MB RSS. With a heap limit of
 * 512 MB V8 chooses a growing factor of ~1.4 instead (it scales the factor
 * with the limit), and a young generation of 8 MB instead of 16 halves what
 * that costs when idle: the same burst peaks at ~130 MB at about the same
 * throughput (bench/README.md, "mqtt"). Node-RED's own Raspberry Pi launcher
 * sets a heap limit for the same reason.
 *
 * The limit is a cap: live data above it ends the process (the supervisor
 * restarts it). 512 MB is fourteen times the engine's live heap under full
 * load; a site that keeps more in memory (large context values) raises it with
 * LOOPEDGE_MAX_HEAP_MB. On a device with less than 2 GB of RAM the default is
 * a quarter of the RAM, which is what V8 itself would choose there.
 */
import { totalmem } from 'node:os';
import { StartupError } from './startup-error.js';

export const MAX_HEAP_ENV = 'LOOPEDGE_MAX_HEAP_MB';
export const DEFAULT_MAX_HEAP_MB = 512;
/** Below this the engine cannot hold its own code and a deployed flow. */
export const MIN_HEAP_MB = 128;
/** Young-generation semi-space, MB (V8's default on 64-bit is up to 16). */
export const ENGINE_SEMI_SPACE_MB = 8;

/** Node command-line flags for the engine process (before the script path). */
export function engineHeapFlags(env: NodeJS.ProcessEnv = process.env, totalMemoryBytes = totalmem()): string[] {
  return [`--max-old-space-size=${engineHeapLimitMb(env, totalMemoryBytes)}`, `--max-semi-space-size=${ENGINE_SEMI_SPACE_MB}`];
}

export function engineHeapLimitMb(env: NodeJS.ProcessEnv, totalMemoryBytes: number): number {
  const text = env[MAX_HEAP_ENV];
  if (text !== undefined && text.trim() !== '') {
    const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < MIN_HEAP_MB) {
      throw new StartupError('usage', `${MAX_HEAP_ENV} must be a whole number of megabytes, at least ${MIN_HEAP_MB}, got "${text}". Unset it to use the default (${DEFAULT_MAX_HEAP_MB} MB, or a quarter of the RAM on smaller devices).`);
    }
    return value;
  }
  const quarterOfRam = Math.floor(totalMemoryBytes / 4 / 1024 / 1024);
  return Math.max(MIN_HEAP_MB, Math.min(DEFAULT_MAX_HEAP_MB, quarterOfRam));
}
