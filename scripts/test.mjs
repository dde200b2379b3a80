#!/usr/bin/env node
// `npm test`: every suite, in order, then ONE closing line `N passed, N failed`.
// Suites print their own `<name>: N passed, N failed, N skipped` line (custom reporters); checks
// without tests (lint, typecheck, build) count as one test each. Exit non-zero on any failure,
// including a suite that failed to start or printed no summary.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2); // optional stage names, e.g. `npm test -- unit e2e`

// Keychain and e2e suites need a D-Bus session with an unlocked Secret Service (TOOLCHAIN.md #6).
// Each run gets its own keyring folder: nothing left over from an earlier run, and two runs at
// once (two checkouts on one machine) never share one keyring file between two daemons.
const withKeyring = (cmd) =>
  `export XDG_DATA_HOME="$(mktemp -d -t desk-keyring-XXXXXX)"; dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec ${cmd}'; rc=$?; rm -rf "$XDG_DATA_HOME"; exit $rc`;

const stages = [
  { name: 'lint', cmd: 'npx eslint . --max-warnings 0', counted: false },
  { name: 'typecheck', cmd: 'npx tsc --noEmit -p tsconfig.json && npx svelte-check --tsconfig ./tsconfig.json --threshold error --output human', counted: false },
  { name: 'build', cmd: 'npx electron-vite build --logLevel warn && node --check out/main/index.js', counted: false },
  { name: 'unit', cmd: 'npx vitest run --project unit --project integration', counted: true },
  { name: 'keychain', cmd: withKeyring('npx vitest run --project keychain'), counted: true },
  { name: 'packaging', cmd: 'npx vitest run --project packaging', counted: true },
  { name: 'e2e', cmd: withKeyring('npx playwright test'), counted: true },
];

function runStage(stage) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stdout.write(`\n=== ${stage.name}: ${stage.cmd}\n`);
    const child = spawn('bash', ['-o', 'pipefail', '-c', stage.cmd], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let tail = '';
    const keep = (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const summaries = [...tail.matchAll(/^(?:vitest|playwright): (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)];
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      if (stage.counted && summaries.length > 0) {
        const last = summaries[summaries.length - 1];
        passed = Number(last[1]);
        failed = Number(last[2]);
        skipped = Number(last[3] ?? 0);
        if (code !== 0 && failed === 0) failed = 1; // exited badly without saying why
      } else if (code === 0) {
        passed = 1;
      } else {
        failed = 1;
      }
      process.stdout.write(`=== ${stage.name}: ${passed} passed, ${failed} failed, ${skipped} skipped (${seconds} s, exit ${code})\n`);
      resolve({ passed, failed, skipped });
    });
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const stage of stages) {
  if (only.length > 0 && !only.includes(stage.name)) continue;
  const r = await runStage(stage);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 ? 1 : 0);
