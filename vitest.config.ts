import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
// Importing the real `electron` package in plain Node starts a binary download and throws
// (TOOLCHAIN.md pitfall 1): every test that touches the shell gets this stub instead.
const alias = { electron: resolve(root, 'test/support/electron-stub.ts') };
const setupFiles = [resolve(root, 'test/support/fast-check-setup.ts')];

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', resolve(root, 'test/support/vitest-summary-reporter.ts')],
    projects: [
      // Property tests and lint-rule tests take ~1 s alone but over 5 s (vitest's default) on a
      // shared 2-core CI machine under load; a generous ceiling keeps them honest without flaking.
      { resolve: { alias }, test: { name: 'unit', setupFiles, include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 } },
      {
        resolve: { alias },
        test: { name: 'integration', setupFiles, include: ['test/integration/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 },
      },
      { resolve: { alias }, test: { name: 'packaging', include: ['test/packaging/**/*.test.ts'], environment: 'node', testTimeout: 150_000, hookTimeout: 150_000 } },
      { resolve: { alias }, test: { name: 'keychain', include: ['test/keychain/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
    ],
  },
});
