// A LoopEdge server without its admin API (startServer with no port): the
// production wiring, so the alert node writes to the same SQLite alert store
// the server uses. A counting sink node tells when messages have come through.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { coreNodeTypes } from '@loopedge/nodes';
import { defineNode, silentLogger, type FlowMessage, type Runtime } from '@loopedge/runtime';
import { startServer, type RunningServer } from '@loopedge/server';

export interface BenchServer {
  runtime: Runtime;
  /** Messages that reached the `count` sink so far, with the time each arrived (ms, performance.now()). */
  readonly arrivals: { count: number; last?: FlowMessage; lastAt: number };
  /** Resolves once `count` messages in total have reached the sink. */
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchServer(flows: Array<Record<string, unknown>>): Promise<BenchServer> {
  const arrivals = { count: 0, lastAt: 0 } as { count: number; last?: FlowMessage; lastAt: number };
  let waiter: { target: number; resolve: () => void } | undefined;
  const counterNode = defineNode({
    type: 'bench-count',
    category: 'common',
    config: Type.Object({}),
    inputs: 1,
    outputs: 0,
    editor: { icon: 'debug.svg', color: '#87a980' },
    create: () => ({
      input(msg) {
        arrivals.count++;
        arrivals.last = msg;
        arrivals.lastAt = performance.now();
        if (waiter && arrivals.count >= waiter.target) {
          const { resolve } = waiter;
          waiter = undefined;
          resolve();
        }
      },
    }),
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'loopedge-bench-rules-'));
  const flowsFile = join(dataDir, 'flows.json');
  writeFileSync(flowsFile, JSON.stringify(flows));
  let server: RunningServer;
  try {
    server = await startServer({ flows: flowsFile, data: dataDir, env: {}, logger: silentLogger, nodeTypes: [...coreNodeTypes, counterNode] });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    runtime: server.runtime,
    arrivals,
    waitForCount(count, timeoutMs = 120_000) {
      if (arrivals.count >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${arrivals.count} of ${count} messages arrived in ${timeoutMs} ms`)), timeoutMs);
        waiter = {
          target: count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
    async stop() {
      try {
        await server.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Deliver messages in slices, yielding between them so the engine's queue drains as in production. */
export async function feed(runtime: Runtime, nodeId: string, count: number, make: (i: number) => Partial<FlowMessage>, slice = 1000): Promise<void> {
  for (let i = 0; i < count; i++) {
    runtime.receive(nodeId, make(i));
    if (i % slice === slice - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}
