import type { Router } from 'express';

// The first-start page the setup link opens, until the browser editor exists.
// Script in its own file: the CSP allows no inline script.
const SETUP_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>LoopEdge setup</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Create the first administrator</h1>
<form id="setup">
  <p><label>Username <input name="username" autocomplete="username" required></label></p>
  <p><label>Password (at least 12 characters) <input name="password" type="password" autocomplete="new-password" required minlength="12"></label></p>
  <p><button type="submit">Create</button></p>
</form>
<p id="result" role="status"></p>
<script src="/setup.js"></script>
</body>
</html>
`;

const SETUP_JS = `'use strict';
document.getElementById('setup').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const token = new URLSearchParams(location.search).get('token') || '';
  const response = await fetch('/api/auth/setup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, username: form.get('username'), password: form.get('password') }),
  });
  const body = await response.json().catch(() => ({}));
  document.getElementById('result').textContent = response.ok
    ? 'Administrator created. You can now sign in.'
    : (body.error && body.error.message) || 'Setup failed.';
});
`;

export function mountSetupPage(router: Router): void {
  router.get('/setup', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(SETUP_HTML);
  });
  router.get('/setup.js', (_req, res) => {
    res.type('application/javascript').send(SETUP_JS);
  });
}
