/** The layering rules live in eslint.config.js; this proves they bite where they should. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restrictedImportErrors(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports').length;
}

// The first lint loads ESLint's config and parsers: seconds on a busy machine, so its own limit.
describe('layering rules', { timeout: 60_000 }, () => {
  it('forbid electron in the core, the sandbox and the web shell', async () => {
    for (const file of ['main/core/x.ts', 'main/sandbox/x.ts', 'main/web/x.ts']) {
      expect(await restrictedImportErrors(file, "import { app } from 'electron';\nexport const a = app;\n")).toBe(1);
    }
  });

  it('allow electron in the Electron shell and the preload', async () => {
    expect(await restrictedImportErrors('main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toBe(0);
    expect(await restrictedImportErrors('preload/index.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n")).toBe(0);
  });

  it('forbid the renderer from importing the core or Node', async () => {
    expect(await restrictedImportErrors('renderer/src/x.ts', "import { dispatch } from '../../main/core/dispatch';\nexport const a = dispatch;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/src/x.ts', "import { channels } from '../../preload/contract';\nexport const a = channels;\n")).toBe(0);
  });

  it('keep common/ free of both sides', async () => {
    expect(await restrictedImportErrors('common/x.ts', "import { dispatch } from '../main/core/dispatch';\nexport const a = dispatch;\n")).toBe(1);
    expect(await restrictedImportErrors('common/x.ts', "import { x } from '../renderer/src/lib/x';\nexport const a = x;\n")).toBe(1);
  });

  it('let common/ take only types from the contract (a value would pull its schemas into the first screen)', async () => {
    expect(await restrictedImportErrors('common/x.ts', "import { MAX_BATCH_FILE_BYTES } from '../preload/contract';\nexport const a = MAX_BATCH_FILE_BYTES;\n")).toBe(1);
    expect(await restrictedImportErrors('common/i18n/x.ts', "import { channels } from '../../preload/contract';\nexport const a = channels;\n")).toBe(1);
    expect(await restrictedImportErrors('common/x.ts', "import type { Membership } from '../preload/contract';\nexport type A = Membership;\n")).toBe(0);
    expect(await restrictedImportErrors('common/x.ts', "import { type Membership } from '../preload/contract';\nexport type A = Membership;\n")).toBe(0);
  });

  it('keep the store below the features (no store → batch import)', async () => {
    expect(await restrictedImportErrors('main/core/store/x.ts', "import { createJournal } from '../batch/journal';\nexport const a = createJournal;\n")).toBe(1);
    expect(await restrictedImportErrors('main/core/store/x.ts', "import { opKind } from '../ops';\nexport const a = opKind;\n")).toBe(1);
    expect(await restrictedImportErrors('main/core/store/x.ts', "import { DeskFailure } from '../errors';\nexport const a = DeskFailure;\n")).toBe(0);
    expect(await restrictedImportErrors('main/core/store/x.ts', "import { allRows } from './rows';\nexport const a = allRows;\n")).toBe(0);
    expect(await restrictedImportErrors('main/core/store/x.ts', "import { startWebShell } from '../../web/server';\nexport const a = startWebShell;\n")).toBe(1);
    expect(await restrictedImportErrors('main/core/batch/x.ts', "import { openStore } from '../store';\nexport const a = openStore;\n")).toBe(0);
  });

  it('keep shells out of the core', async () => {
    expect(await restrictedImportErrors('main/core/x.ts', "import { startWebShell } from '../web/server';\nexport const a = startWebShell;\n")).toBe(1);
  });
});
