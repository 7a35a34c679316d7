/**
 * Records each parity case's `expected` messages from Node-RED itself.
 *
 *   npm run parity:record -w @loopedge/test                 # every case
 *   npm run parity:record -w @loopedge/test -- switch/ rbe  # paths containing "switch/" or "rbe"
 *
 * Each case runs twice; if the two runs differ, Node-RED's behaviour for it
 * is not deterministic (or the settle time is too short) and nothing is written.
 */
import { isDeepStrictEqual } from 'node:util';
import { relative } from 'node:path';
import { nodeRedVersion, startNodeRedFlow, shutdownNodeRed } from '../peers/node-red-peer.js';
import { casesDirectory, loadCases, writeCase } from './case-file.js';
import { runCase, type SinkMessages } from './run-case.js';
import { describeDifferences } from './sink-diff.js';

const RUNS = 2;

async function recordAll(filter: string[]): Promise<number> {
  const cases = loadCases(casesDirectory, filter);
  if (cases.length === 0) {
    console.error(`No parity case under ${casesDirectory} matches ${filter.join(', ')}`);
    return 1;
  }
  const version = nodeRedVersion();
  let failures = 0;
  for (const { file, parityCase } of cases) {
    const path = relative(casesDirectory, file);
    try {
      const runs: SinkMessages[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runCase(parityCase, startNodeRedFlow));
      const [first, ...others] = runs as [SinkMessages, ...SinkMessages[]];
      const unstable = others.find((run) => !isDeepStrictEqual(run, first));
      if (unstable) {
        failures++;
        console.error(`✗ ${path}: Node-RED gave different messages on two runs; not recorded (make the case deterministic or raise settleMs)`);
        for (const line of describeDifferences(first, unstable)) console.error(`    ${line}`);
        continue;
      }
      writeCase(file, { ...parityCase, recordedWith: version, expected: first });
      const counts = Object.entries(first).map(([sink, msgs]) => `${sink}: ${msgs.length}`).join(', ');
      console.log(`✓ ${path} (${counts})`);
    } catch (error) {
      failures++;
      console.error(`✗ ${path}: ${(error as Error).message}`);
    }
  }
  console.log(`${cases.length - failures} of ${cases.length} case(s) recorded with ${version}`);
  return failures === 0 ? 0 : 1;
}

const exitCode = await recordAll(process.argv.slice(2));
await shutdownNodeRed();
process.exitCode = exitCode;
