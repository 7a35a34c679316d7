/**
 * Whether an application's filter covers a topic or a whole subscription filter:
 * every topic the second matches must match the first (so `a/+` covers `a/b`
 * and `a/+`, `a/#` covers `a/b/#`, but `a/b` does not cover `a/+`).
 */
export function filterCovers(allowed: string, requested: string): boolean {
  const f = allowed.split('/');
  const t = requested.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || t[i] === '#') return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
