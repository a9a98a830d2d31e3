/**
 * Builds the explorer's web app (explorer/src/web) into explorer/dist, which the explorer's server serves.
 * Everything is bundled locally: the page loads no font, script or style from anywhere else, and the
 * server's Content-Security-Policy (script-src 'self') would refuse it if it tried.
 */
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts; Vite's module-preload polyfill would be one.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npm run dev -w @sibyl/explorer`: the page from Vite, the API from a running explorer (EXPLORER_URL).
    proxy: { '/api': { target: process.env.EXPLORER_URL ?? 'http://127.0.0.1:8787', changeOrigin: true } },
  },
})
