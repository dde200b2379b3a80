import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;
/** Rolldown's "[PLUGIN_TIMINGS] JavaScript callbacks ran for…" advice is for plugin authors, not for
 *  someone starting the app: off in every part of the build. */
const quiet = { checks: { bundlerTimings: false } };

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { ...quiet, input: { index: resolve(root, 'main/electron/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload may require only `electron` and a few built-ins: bundle zod (the
      // contract's channel list) into it instead of leaving a require("zod") that would fail.
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        ...quiet,
        input: { index: resolve(root, 'preload/index.ts') },
        // A sandboxed preload must be CommonJS (TOOLCHAIN.md pitfall 3).
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
    build: {
      // electron-vite leaves the renderer unminified by default: 713 kB -> 82 kB gzipped with it.
      minify: true,
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { ...quiet, input: resolve(root, 'renderer/index.html') },
    },
  },
});
