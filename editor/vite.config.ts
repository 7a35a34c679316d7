import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The bundle goes to editor/build (tsc's dist/ holds only the compiled unit
// tests). The server serves build/ at `/` and templates index.html with a CSP
// nonce, so nothing here may rely on inline scripts.
export default defineConfig({
  root: '.',
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'build',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2048,
    // No inline module-preload polyfill: the CSP forbids inline script.
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev -w @loopedge/editor` against a running `loopedge start`.
    proxy: {
      '/api': { target: 'https://127.0.0.1:1880', secure: false, changeOrigin: false },
      '/socket.io': { target: 'https://127.0.0.1:1880', secure: false, ws: true },
    },
  },
});
