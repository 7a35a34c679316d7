import mustache from 'mustache';
import yaml from 'js-yaml';
import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside, TypedInputType, type FlowMessage } from '@loopedge/runtime';
import { compileMessagePath, setPath } from '../../shared/property-expression.js';
import { prepareContextTarget } from '../../shared/context-target.js';
import { resolveExternalNames, templateNames, TemplateContext } from './mustache-context.js';

const TemplateConfig = Type.Object({
  name: NodeName,
  field: Type.String({ default: 'payload', description: 'Where the result goes' }),
  fieldType: TypedInputType('msg', 'msg, flow or global'),
  format: Type.String({ default: 'handlebars', description: 'Editor syntax highlighting only (handlebars, html, json, yaml, text, ...)' }),
  syntax: Type.String({ default: 'mustache', description: 'mustache: fill in {{...}}; plain: use the text as it is' }),
  template: Type.String({ default: 'This is the payload: {{payload}} !', description: 'The template' }),
  output: Type.String({ default: 'str', description: 'str: text; json: parse the result as JSON; yaml: parse it as YAML' }),
});

export const templateNode = defineNode({
  type: 'template',
  category: 'function',
  config: TemplateConfig,
  inputs: 1,
  outputs: 1,
  editor: { label: 'template', icon: 'template.svg', color: 'rgb(243, 181, 103)', widgets: { template: 'code-mustache', field: 'typed-input:fieldType' } },
  // Node-RED copies the name as given, so error and status sources carry name: "" for unnamed nodes.
  keepsEmptyName: true,
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const field = config.field || 'payload';
    const fieldType = config.fieldType || 'msg';
    const syntax = config.syntax || 'mustache';
    const outputFormat = config.output || 'str';
    if (fieldType !== 'msg' && fieldType !== 'flow' && fieldType !== 'global') {
      throw new Error(`Node ${node.id}: fieldType "${fieldType}" is not one of msg, flow, global`);
    }
    const messageField = fieldType === 'msg' ? compileMessagePath(field) : null;
    const contextField = fieldType === 'msg' ? null : prepareContextTarget(node, fieldType, field);
    // Names of the node's own template are parsed once; msg.template per message.
    let ownNames: Set<string> | null = null;
    try {
      ownNames = syntax === 'mustache' && config.template ? templateNames(config.template) : null;
    } catch (err) {
      throw new Error(`Node ${node.id}: template: ${(err as Error).message}; fix the template or set syntax to plain`);
    }

    const parseOutput = (text: unknown): unknown => {
      if (outputFormat === 'json') return JSON.parse(text as string);
      if (outputFormat === 'yaml') return yaml.load(text as string);
      return text;
    };

    const render = (template: unknown, msg: FlowMessage): unknown => {
      if (syntax !== 'mustache') return template;
      const source = template as string;
      const names = template === config.template && ownNames ? ownNames : templateNames(source);
      const external = resolveExternalNames(node, names);
      return mustache.render(source, new TemplateContext(msg, undefined, outputFormat === 'json', external));
    };

    return {
      input(msg, send) {
        // msg.template is used only when the node's own template is empty.
        let template: unknown = config.template;
        if (Object.prototype.hasOwnProperty.call(msg, 'template') && (template === '' || template === null)) template = msg.template;
        const value = parseOutput(render(template, msg));
        if (messageField) setPath(msg, messageField, value);
        else contextField!.set(msg, value);
        send(msg);
      },
    };
  },
});
