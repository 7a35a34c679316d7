/**
 * The message contract, as in Node-RED: a plain object with `_msgid`,
 * usually `payload` and `topic`.
 */
export interface FlowMessage {
  _msgid: string;
  payload?: unknown;
  topic?: string;
  [property: string]: unknown;
}

/** What one output port carries in one send: a message, several, or nothing. */
export type PortValue = FlowMessage | FlowMessage[] | null | undefined;

/**
 * What `send()` accepts: one message for the first output, or an array with
 * one entry per output port (each entry a message, an array of messages, or null).
 */
export type SendValue = FlowMessage | PortValue[] | null | undefined;

export type SendFunction = (value: SendValue) => void;

/** Called once a node has finished with a message; an error routes to catch nodes. */
export type DoneFunction = (error?: unknown) => void;
