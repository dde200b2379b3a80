/** What an update must not interrupt, as the core sees it: a dialog the renderer reports open. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCore } from '../../main/core/app';
import { dispatch } from '../../main/core/dispatch';
import { MemorySecretStore } from '../../main/core/session/memory-secret-store';

it('app.activity: a dialog open makes the app busy for updates; closed, idle again', async () => {
  const core = await createCore({ dataDir: mkdtempSync(join(tmpdir(), 'desk-activity-')), shell: 'web', secrets: new MemorySecretStore() });
  try {
    expect(core.activity.busy()).toBeNull();
    expect(await dispatch(core.handlers, 'app.activity', { dialogOpen: true })).toEqual({ ok: true, value: {} });
    expect(core.activity.busy()).toBe('dialog');
    await dispatch(core.handlers, 'app.activity', { dialogOpen: false });
    expect(core.activity.busy()).toBeNull();
    expect((await dispatch(core.handlers, 'app.activity', { dialogOpen: 'yes' })).ok).toBe(false);
  } finally {
    await core.close();
  }
});
