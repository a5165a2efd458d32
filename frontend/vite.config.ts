/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const BFF = process.env.BFF_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: BFF, changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries in chunks of their own, so that they stay cached when the app changes. Only
        // what the first screen needs is grouped ($initial); library code that only some screens
        // use (lists, dialogs, checkboxes, radios…) is left to the automatic splitting and comes
        // with the screens that use them (every screen but sign-in is a React.lazy import).
        codeSplitting: {
          groups: [
            {
              name: 'framework',
              test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|@tanstack[\\/][^\\/]+|use-sync-external-store|cookie|set-cookie-parser)[\\/]/,
              priority: 2,
            },
            { name: 'vendor', test: /[\\/]node_modules[\\/]/, tags: ['$initial'], priority: 1 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // CSS is not applied in jsdom; tokens.css and react-aria-pressable.css are read (as text) by
    // the contrast test and the CSP test.
    css: { include: [/tokens\.css/, /react-aria-pressable\.css/] },
    restoreMocks: true,
    // React Aria's list boxes and dialogs are slower to drive in jsdom on a 2-core machine.
    testTimeout: 20_000,
  },
});
