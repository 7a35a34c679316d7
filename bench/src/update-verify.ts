/**
 * Update verify + stage: a 50 MiB package (one module of incompressible
 * files) is decrypted, its signature and every module hash verified, and it is
 * unpacked into a staging folder and switched to. Reports the time and the
 * peak RSS growth, which must stay well under the package size (it streams).
 */
import { rmSync } from 'node:fs';
import { isQuickMode, runIfMain, type Benchmark, type BenchmarkOutcome } from './benchmark.js';
import { runInChild } from './child-process.js';
import { formatNumber, formatTable, metText } from './report.js';
import type { PreparedUpdate, UpdateVerifyMeasure } from './update-worker.js';

/**
 * Peak RSS growth must stay under this share of the package size. What grows is
 * chunk buffers waiting for the next scavenge: a bounded amount (about 20 MiB on
 * Node 20), not a share of the package, so a bigger package only widens the margin.
 */
export const RSS_GROWTH_TARGET_SHARE = 0.5;
const CHILD_TIMEOUT_MS = 300_000;

export async function runUpdateVerify(): Promise<BenchmarkOutcome> {
  // BENCH_UPDATE_MIB: another size, to see that the growth does not follow the package size.
  const totalMiB = Number(process.env['BENCH_UPDATE_MIB'] ?? (isQuickMode() ? 10 : 50));
  const prepared = await runInChild<PreparedUpdate>('./update-worker.js', ['prepare', String(totalMiB)], CHILD_TIMEOUT_MS);
  try {
    const measured = await runInChild<UpdateVerifyMeasure>('./update-worker.js', ['verify', JSON.stringify(prepared)], CHILD_TIMEOUT_MS);
    const packageMiB = prepared.packageBytes / (1024 * 1024);
    const targetMiB = packageMiB * RSS_GROWTH_TARGET_SHARE;
    const targetMet = measured.peakRssGrowthMiB < targetMiB;
    const throughput = packageMiB / (measured.verifyStageMs / 1000);
    const table = formatTable(`Update package of ${formatNumber(packageMiB, 1)} MiB`, ['', 'LoopEdge'], [
      ['pack ms (sign + encrypt, for reference)', formatNumber(prepared.packMs, 0)],
      ['verify + stage + switch ms', formatNumber(measured.verifyStageMs, 0)],
      ['MiB/s', formatNumber(throughput, 1)],
      ['RSS before MiB', formatNumber(measured.baselineRssMiB, 1)],
      ['peak RSS growth MiB', formatNumber(measured.peakRssGrowthMiB, 1)],
    ]);
    return {
      report: `${table}\n\nTarget: peak RSS growth < ${formatNumber(targetMiB, 1)} MiB (${RSS_GROWTH_TARGET_SHARE * 100}% of the package) — met: ${metText(targetMet)}`,
      summary: `verify + stage ${formatNumber(packageMiB, 0)} MiB in ${formatNumber(measured.verifyStageMs, 0)} ms, peak RSS growth ${formatNumber(measured.peakRssGrowthMiB, 1)} MiB`,
      targetMet,
      results: { packageBytes: prepared.packageBytes, packMs: prepared.packMs, ...measured, targetMiB },
    };
  } finally {
    rmSync(prepared.workDir, { recursive: true, force: true });
  }
}

export const updateVerifyBenchmark: Benchmark = {
  name: 'update-verify',
  description: 'decrypt, verify and stage a 50 MiB update package: time and peak RSS growth (must stream)',
  run: runUpdateVerify,
};

runIfMain(import.meta.url, updateVerifyBenchmark);
