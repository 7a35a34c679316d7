import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunBatchIds, runBatchEntryId, type RunBatchEntry } from './run-batch-ids.js';

test('batch ids written by the host read back the same inside the isolate', () => {
  const entries: RunBatchEntry[] = [
    { runId: 1, returnMessage: false, tagged: false, attachments: 0 },
    { runId: 22, returnMessage: true, tagged: true, attachments: 3 },
    { runId: 7, returnMessage: false, tagged: false, attachments: 1 },
  ];
  const ids = entries.map(runBatchEntryId).join(',');
  assert.equal(ids, '1,-22t:3,7:1');
  assert.deepEqual(parseRunBatchIds(ids), entries);
});
