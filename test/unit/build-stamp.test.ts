import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { BUILD_OUTPUTS, inputsHash, needsBuild, writeStamp } from '../../scripts/build-stamp.mjs';

const dirs: string[] = [];
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'stamp-'));
  dirs.push(root);
  const put = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  put('renderer/src/App.svelte', '<p>hi</p>');
  put('main/core/app.ts', 'export {}');
  put('package-lock.json', '{}');
  put('main/node_modules/x/index.js', 'ignored');
  for (const f of BUILD_OUTPUTS as string[]) put(f, 'built');
  return root;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('npm start skips the build when nothing changed (issue 13 item 13)', () => {
  it('builds the first time, skips while the inputs are the same, builds again after any change', () => {
    const root = project();
    expect(needsBuild(root)).toBe(true); // never built (no stamp)
    writeStamp(root, inputsHash(root));
    expect(needsBuild(root)).toBe(false);

    writeFileSync(join(root, 'renderer/src/App.svelte'), '<p>hello</p>');
    expect(needsBuild(root)).toBe(true);
    writeStamp(root, inputsHash(root));
    expect(needsBuild(root)).toBe(false);

    writeFileSync(join(root, 'main/core/new.ts'), 'export const x = 1;'); // a new file
    expect(needsBuild(root)).toBe(true);
    writeStamp(root, inputsHash(root));
    writeFileSync(join(root, 'package-lock.json'), '{"v":2}'); // dependencies changed
    expect(needsBuild(root)).toBe(true);
  });

  it('ignores node_modules and rebuilds when a built file is gone', () => {
    const root = project();
    writeStamp(root, inputsHash(root));
    writeFileSync(join(root, 'main/node_modules/x/index.js'), 'changed');
    expect(needsBuild(root)).toBe(false);
    rmSync(join(root, 'out/renderer/index.html'));
    expect(needsBuild(root)).toBe(true);
  });

  it('a renamed file is a change (paths are part of the hash)', () => {
    const root = project();
    const before = inputsHash(root);
    rmSync(join(root, 'main/core/app.ts'));
    writeFileSync(join(root, 'main/core/app2.ts'), 'export {}');
    expect(inputsHash(root)).not.toBe(before);
  });
});
