import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * `npm run build` builds the console into dist/console, which the API serves under `/`.
 * For development: `npx vite --config apps/console/vite.config.mts` with the API on
 * API_PORT (default 3000); API calls are proxied to it.
 */
export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/v1': `http://127.0.0.1:${process.env.API_PORT ?? 3000}` },
  },
});
