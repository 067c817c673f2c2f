// The console is built once into dist/ and served by the server at /console/ (and, for the
// end-user portal, at /i/:slug/portal/ with the same assets under /console/assets/).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    // one CSS file, no inline styles or scripts: the CSP allows only 'self'
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
  },
});
