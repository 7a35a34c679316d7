import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { mountSetupPage } from './setup-page.js';

/**
 * Serves the browser editor (editor/build, made by `vite build`) at `/`.
 *
 * - Hashed files under /assets/ never change: cached for a year, immutable.
 * - Every other GET of a page address gets index.html (the editor routes on the
 *   client), never cached, with this response's CSP nonce put into
 *   `<meta name="csp-nonce">`: CodeMirror and xyflow add <style> elements at run
 *   time, which `style-src 'self' 'nonce-…'` allows only with that nonce, so
 *   script stays `'self'` only and no `'unsafe-inline'` is needed anywhere.
 * - Without a build, `/` says how to make one, and `/setup` falls back to the
 *   small built-in setup page so the first-start link always works.
 */

/** The placeholder in editor/index.html that each response replaces with its nonce. */
export const CSP_NONCE_PLACEHOLDER = '__CSP_NONCE__';

const nonces = new WeakMap<ServerResponse, string>();

/** Middleware: one fresh nonce per response, read by the CSP header and the index.html template. */
export function assignCspNonce(_req: Request, res: Response, next: NextFunction): void {
  nonces.set(res, randomBytes(16).toString('base64'));
  next();
}

/** For helmet's CSP directives: `'nonce-…'` of this response. */
export function cspNonceSource(_req: IncomingMessage, res: ServerResponse): string {
  const nonce = nonces.get(res);
  // Without assignCspNonce in front there is no nonce: allow nothing extra rather than something guessable.
  return nonce ? `'nonce-${nonce}'` : "'none'";
}

/** Where the built editor is: LOOPEDGE_EDITOR_DIR, else editor/build of this repository. */
export function editorBuildDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOOPEDGE_EDITOR_DIR ?? fileURLToPath(new URL('../../../editor/build/', import.meta.url));
}

const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LoopEdge: editor not built</title></head>
<body><h1>The LoopEdge editor is not built</h1>
<p>The admin API runs, but the browser editor's files are missing. Build them from the repository root with
<code>npm run build -w @loopedge/editor</code> (or <code>npm install</code>, which builds everything), then reload this page.</p>
<p>The API is documented at <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
`;

/** Paths the editor never owns: the API and socket.io answer for themselves (JSON 404s stay JSON). */
function isServerPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path.startsWith('/socket.io');
}

export interface EditorStaticOptions {
  /** Defaults to editorBuildDir(). */
  directory?: string;
}

export function mountEditorStatic(router: Router, options: EditorStaticOptions = {}): void {
  const directory = options.directory ?? editorBuildDir();
  const indexPath = join(directory, 'index.html');

  router.use(
    '/assets',
    express.static(join(directory, 'assets'), { index: false, fallthrough: true, immutable: true, maxAge: '365d', redirect: false }),
  );
  router.use(
    express.static(directory, {
      index: false,
      fallthrough: true,
      redirect: false,
      maxAge: '1h',
      // index.html is templated below, never sent as a file.
      setHeaders: (res, path) => {
        if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-store');
      },
    }),
  );
  // Without a build the interim setup page keeps the setup link working.
  if (!existsSync(indexPath)) mountSetupPage(router);

  // Any other page address is a client route (`/`, `/setup?token=…`): index.html, whatever the Accept header says,
  // so a link opened by any client works. A missing file (a name with an extension) stays a 404.
  router.get(/.*/, (req, res, next) => {
    if (isServerPath(req.path) || /\.[a-z0-9]+$/i.test(req.path)) return next();
    readFile(indexPath, 'utf8').then(
      (template) => {
        const nonce = nonces.get(res) ?? '';
        res.setHeader('Cache-Control', 'no-store');
        res.type('html').send(template.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
      },
      () => {
        res.status(503).setHeader('Cache-Control', 'no-store');
        res.type('html').send(NOT_BUILT_HTML);
      },
    );
  });
}
