import { defineConfig } from 'vite';

// The dev server proxies the stream and the catalog to a running `spymaster serve` on 8001, so the page
// can always use its own origin.
export default defineConfig({
  server: {
    port: 5174,
    proxy: {
      '/v1': { target: 'http://127.0.0.1:8001', ws: true },
      '/health': 'http://127.0.0.1:8001',
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  test: { include: ['test/**/*.test.ts'] },
});
