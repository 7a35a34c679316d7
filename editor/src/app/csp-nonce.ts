/**
 * The CSP nonce the server put into `<meta name="csp-nonce">` for this page
 * load; a `<style>` element added at run time must carry it (CodeMirror:
 * `EditorView.cspNonce.of(cspNonce())`). Empty under the Vite dev server.
 */
export function cspNonce(): string {
  const content = document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') ?? '';
  return content === '__CSP_NONCE__' ? '' : content;
}
