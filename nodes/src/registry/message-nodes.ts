import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { injectNode } from '../common/inject/index.js';
import { debugNode } from '../common/debug/index.js';
import { changeNode } from '../function/change/index.js';
import { switchNode } from '../function/switch/index.js';
import { rangeNode } from '../function/range/index.js';
import { templateNode } from '../function/template/index.js';

/** inject, debug, change, switch, range, template — in palette order. */
export const messageNodes: AnyNodeTypeDefinition[] = [injectNode, debugNode, switchNode, changeNode, rangeNode, templateNode];
