import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { injectNode } from '../common/inject/index.js';
import { debugNode } from '../common/debug/index.js';
import { changeNode } from '../function/change/index.js';
import { switchNode } from '../function/switch/index.js';
import { rangeNode } from '../function/range/index.js';
import { templateNode } from '../function/template/index.js';
import { functionNode } from '../function/function/index.js';
import { pythonFunctionNode } from '../function/python-function/index.js';

/** inject, debug, function, python-function, switch, change, range, template — in palette order. */
export const messageNodes: AnyNodeTypeDefinition[] = [injectNode, debugNode, functionNode, pythonFunctionNode, switchNode, changeNode, rangeNode, templateNode];
