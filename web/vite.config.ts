import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// JSX is compiled by Vite's built-in transform (automatic runtime, from web/tsconfig.json); no React plugin needed.
export default defineConfig({
  root: here,
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `npx vite web` for UI work: the API comes from `npm start` on port 3000.
    proxy: Object.fromEntries(['/api', '/ims', '/uri', '/oauth', '/openapi.json'].map((p) => [p, 'http://localhost:3000'])),
  },
});
