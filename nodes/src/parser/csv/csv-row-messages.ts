import { cloneMessage, type FlowMessage, type SendFunction } from '@loopedge/runtime';
import type { CsvSettings } from './csv-settings.js';

type Parts = { index: number; count?: number };

/**
 * "One message per row", the same in both parsing modes: each row goes out in
 * a copy of the message with `parts` (new, or the incoming parts shifted past
 * the skipped and header lines), the last one of a sequence marked complete.
 */
export function sendRowMessages(
  msg: FlowMessage,
  rows: unknown[],
  columns: string,
  settings: Pick<CsvSettings, 'skip' | 'headerIn'>,
  sequence: { hasParts: boolean; isLast: boolean; newMessageId(): string },
  send: SendFunction,
): void {
  rows.forEach((row, index) => {
    const out = cloneMessage(msg);
    out.columns = columns;
    out.payload = row;
    if (!sequence.hasParts) out.parts = { id: msg._msgid, index, count: rows.length };
    else {
      const outParts = out.parts as Parts & { count: number };
      outParts.index -= settings.skip;
      outParts.count -= settings.skip;
      if (settings.headerIn) {
        // the header line was removed too
        outParts.index -= 1;
        outParts.count -= 1;
      }
    }
    if (sequence.isLast) out.complete = true;
    send(out);
  });
  if (sequence.hasParts && sequence.isLast && rows.length === 0) send({ _msgid: sequence.newMessageId(), complete: true });
}
