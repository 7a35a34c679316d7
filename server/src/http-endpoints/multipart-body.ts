// multipart/form-data bodies for `http in` nodes with "accept file uploads":
// text fields become `msg.req.body` (and `msg.payload`), files `msg.req.files`
// in multer's shape, as Node-RED's http in gives them. The body has already
// been read within httpNodeMaxBodyBytes, so every part is bounded by it; the
// counts are bounded here so a body of a million empty parts cannot make the
// server build a million objects.
import { Busboy } from '@fastify/busboy';
import type { HttpEndpointFile } from '@loopedge/runtime';
import { BadBodyError } from './request-body.js';

export const MULTIPART_LIMITS = Object.freeze({ files: 100, fields: 1000, parts: 1100 });

export interface MultipartBody {
  /** Text fields; a repeated name gives an array, as for urlencoded bodies. */
  fields: Record<string, string | string[]>;
  files: HttpEndpointFile[];
}

export function isMultipart(contentType: string | undefined): contentType is string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'multipart/form-data';
}

export function parseMultipart(body: Buffer, contentType: string, maxBytes: number): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => reject(new BadBodyError(`The multipart/form-data body cannot be read: ${reason}. Send a well-formed form (as a browser or curl -F does).`));
    let parser: InstanceType<typeof Busboy>;
    try {
      parser = new Busboy({ headers: { 'content-type': contentType }, limits: { ...MULTIPART_LIMITS, fieldSize: maxBytes, fileSize: maxBytes } });
    } catch (error) {
      fail((error as Error).message);
      return;
    }
    const fields: Record<string, string | string[]> = {};
    const files: HttpEndpointFile[] = [];
    let settled = false;
    const stop = (reason: string): void => {
      if (settled) return;
      settled = true;
      fail(reason);
    };
    parser.on('field', (name, value) => {
      const existing = fields[name];
      if (existing === undefined) fields[name] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else fields[name] = [existing, value];
    });
    parser.on('file', (fieldname, stream, originalname, encoding, mimetype) => {
      const chunks: Buffer[] = [];
      // A file cut short fails on its own stream, not the parser's: unheard, it would be an uncaught exception.
      stream.on('error', (error: Error) => stop(error.message));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const buffer = Buffer.concat(chunks);
        files.push({ fieldname, originalname, encoding, mimetype, buffer, size: buffer.length });
      });
    });
    parser.on('filesLimit', () => stop(`more than ${MULTIPART_LIMITS.files} files`));
    parser.on('fieldsLimit', () => stop(`more than ${MULTIPART_LIMITS.fields} fields`));
    parser.on('partsLimit', () => stop(`more than ${MULTIPART_LIMITS.parts} parts`));
    parser.on('error', (error: Error) => stop(error.message));
    parser.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve({ fields, files });
    });
    parser.end(body);
  });
}
