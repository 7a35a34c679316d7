import { createRequire } from 'node:module';
import { Type } from '@sinclair/typebox';
import AjvModule, { type ValidateFunction } from 'ajv';
import { defineNode, NodeName, readmeBeside, type FlowMessage, type SendFunction } from '@loopedge/runtime';
import { compileMessagePath, getPath, setPath } from '../../shared/property-expression.js';

// ajv is CommonJS: its class is both module.exports and .default.
const Ajv = AjvModule.default;
const require = createRequire(import.meta.url);

/**
 * One validator per process, as in Node-RED: draft-07 by default, draft-06
 * schemas accepted too. `allErrors` so msg.schemaError lists every problem.
 */
const ajv = new Ajv({ allErrors: true });
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-06.json') as object);

/**
 * A failure Node-RED reports as plain text (no "Error:" prefix, no stack), so
 * catch nodes see the same error.message as with Node-RED.
 */
class JsonFailure extends Error {}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JsonFailure((error as Error).message);
  }
}

function stringify(value: unknown, indent: number): string {
  try {
    return JSON.stringify(value, null, indent);
  } catch {
    // circular structures and BigInt values
    throw new JsonFailure('Failed to convert payload');
  }
}

/** Node-RED's `json` node: converts between a JSON string and an object, optionally validating it. */
export const jsonNode = defineNode({
  type: 'json',
  category: 'parser',
  config: Type.Object({
    name: NodeName,
    property: Type.String({ default: 'payload', description: 'Message property to convert' }),
    action: Type.Union([Type.Literal(''), Type.Literal('str'), Type.Literal('obj')], {
      default: '',
      description: 'Convert both ways (""), always to a JSON string (str), or always to an object (obj)',
    }),
    pretty: Type.Boolean({ default: false, description: 'Indent the JSON string (4 spaces)' }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'json', icon: 'parser-json.svg', color: '#DEBD5C', widgets: { property: 'msg-property' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const property = compileMessagePath(config.property || 'payload');
    const action = config.action || '';
    const indent = config.pretty ? 4 : 0;
    let schemaText: string | undefined;
    let validator: ValidateFunction | undefined;

    /** Compile msg.schema when it differs from the last one seen. */
    function validatorFor(schema: unknown): ValidateFunction {
      const text = JSON.stringify(schema);
      if (text !== schemaText || !validator) {
        try {
          validator = ajv.compile(schema as object);
          schemaText = text;
        } catch {
          schemaText = undefined;
          validator = undefined;
          throw new JsonFailure('JSON Schema error: failed to compile schema');
        }
      }
      return validator;
    }

    /** Validate when msg.schema is set; a failure lists ajv's errors on msg.schemaError. */
    function check(msg: FlowMessage, validate: ValidateFunction | undefined, value: unknown): void {
      if (!validate) return;
      if (!validate(value)) {
        msg.schemaError = validate.errors;
        throw new JsonFailure(`JSON Schema error: ${ajv.errorsText(validate.errors)}`);
      }
      delete msg.schema;
    }

    function convert(msg: FlowMessage, send: SendFunction): void {
      const validate = msg.schema ? validatorFor(msg.schema) : undefined;
      const value = getPath(msg, property);
      if (value === undefined) {
        send(msg); // nothing to convert: pass it on
        return;
      }
      if (typeof value === 'string' || Buffer.isBuffer(value)) {
        if (action === '' || action === 'obj') {
          const parsed = parse(value.toString());
          setPath(msg, property, parsed);
          check(msg, validate, parsed);
        } else if (validate) {
          // "always string": validated but left as it is (a parse error here is an ordinary error in Node-RED)
          check(msg, validate, JSON.parse(value.toString()));
        }
        send(msg);
        return;
      }
      if (typeof value === 'object' || typeof value === 'boolean' || typeof value === 'number') {
        check(msg, validate, value);
        if (action === '' || action === 'str') setPath(msg, property, stringify(value, indent));
        send(msg);
        return;
      }
      node.warn('Ignored unsupported payload type');
    }

    return {
      input(msg, send, done) {
        try {
          convert(msg, send);
          done();
        } catch (error) {
          done(error instanceof JsonFailure ? error.message : error);
        }
      },
    };
  },
});
