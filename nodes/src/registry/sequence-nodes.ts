import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { delayNode } from '../function/delay/index.js';
import { triggerNode } from '../function/trigger/index.js';
import { rbeNode } from '../function/rbe/index.js';
import { splitNode } from '../sequence/split/index.js';
import { joinNode } from '../sequence/join/index.js';
import { sortNode } from '../sequence/sort/index.js';
import { batchNode } from '../sequence/batch/index.js';
import { jsonNode } from '../parser/json/index.js';
import { csvNode } from '../parser/csv/index.js';

/** Timing, filtering, sequence and parser nodes, in palette order. */
export const sequenceNodes: AnyNodeTypeDefinition[] = [delayNode, triggerNode, rbeNode, splitNode, joinNode, sortNode, batchNode, jsonNode, csvNode];
