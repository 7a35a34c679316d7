import assert from 'node:assert/strict';
import type { FlowDocument } from '@loopedge/flows';
import type { FlowMessage, TestFlow } from '@loopedge/runtime';

/** What every hostile payload file declares about its outcome. */
export interface AttackOutcome {
  name: string;
  expect: 'error' | 'output' | 'either';
  matches?: string;
}

export interface AttackRun {
  flow: TestFlow;
  payload: AttackOutcome;
  /** The attack tab: node `attack` → `attackOut`, a catch node → `caught`. */
  attackFlow: FlowDocument;
  message: Partial<FlowMessage>;
  /** Messages the parallel flow's sink has received so far. */
  steadyCount(): number;
  outcomeTimeoutMs: number;
  /** Payload-specific checks of what reached `attackOut`. */
  checkOutput(): void;
}

/**
 * One hostile payload, the same for every language: deploy it beside the
 * parallel flow, send it a message, and hold it to its declared outcome while
 * checking that the parallel flow kept receiving messages during the attack
 * and after it.
 */
export async function runAttack(run: AttackRun): Promise<void> {
  const { flow, payload } = run;
  const deployed = await flow.runtime.deploy(run.attackFlow, { type: 'flows' });
  assert.equal(deployed.ok, true, `deploy failed: ${deployed.error ?? JSON.stringify(deployed.problems)}`);
  const outputs = (): number => flow.messagesAt('attackOut').length + flow.messagesAt('caught').length;
  const outputsBefore = outputs();
  const caughtBefore = flow.messagesAt('caught').length;
  const steadyBefore = run.steadyCount();
  const started = Date.now();

  flow.receive('attack', run.message);
  await flow.waitUntil(() => outputs() > outputsBefore, run.outcomeTimeoutMs, () => `no outcome for ${payload.name}`);
  const elapsed = Date.now() - started;
  const steadyDuring = run.steadyCount() - steadyBefore;
  if (payload.expect === 'error') {
    // An attack may send many messages before its error (a send flood is cut at the cap): the error
    // reaches the catch node after them, so wait for it rather than for the first output.
    await flow
      .waitUntil(() => flow.messagesAt('caught').length > caughtBefore, run.outcomeTimeoutMs, () => `no error for ${payload.name}`)
      .catch(() => undefined);
  }
  // Anything else the attack does (more sends, a second error) has a moment to show.
  await flow.settle(30);

  const caught = flow.messagesAt('caught').slice(caughtBefore);
  const errorText = caught.map((m) => String((m.error as { message?: unknown } | undefined)?.message)).join(' | ');
  if (payload.expect === 'error') {
    assert.ok(caught.length > 0, `${payload.name} should fail with a node error; it produced output instead`);
    if (payload.matches) assert.match(errorText, new RegExp(payload.matches), `${payload.name}: unexpected error text`);
  } else if (payload.expect === 'output') {
    assert.equal(caught.length, 0, `${payload.name} should run harmlessly; it failed: ${errorText}`);
  }
  run.checkOutput();

  // The runtime and the other user-code node never stalled: messages flowed during the attack
  // (an attack that ended at once leaves no time for ticks, so only longer ones are held to it).
  if (elapsed >= 100) assert.ok(steadyDuring > 0, `the parallel flow received nothing during the ${elapsed} ms attack`);
  await flow.waitUntil(() => run.steadyCount() >= steadyBefore + steadyDuring + 3, 5000, () => 'the parallel flow stopped after the attack');
}
