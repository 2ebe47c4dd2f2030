import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The proxy serves `dist/` at `/` (apps/proxy/src/dashboard-assets.ts); asset names carry a content
// hash, so the proxy caches them for a year and `index.html` never.
export default defineConfig({
  plugins: [solid()],
  base: '/',
  resolve: { conditions: ['@switchyard/source'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
