/**
 * Child process for the desk crash test: starts the core on a data folder exactly as the shells do
 * (createCore), with a keychain kept in a JSON file so the second start finds the sign-in as the
 * OS keychain would. Two modes:
 *   - `freeze`: signs in and freezes the membership at the first legal date (the parent SIGKILLs
 *     it once the sandbox has taken the write, whose answer the sandbox holds back);
 *   - `restart`: starts the core only, waits until no desk job is open (decided at start-up by
 *     reading), prints what the journal and the audit log say, and exits.
 *
 *   tsx test/support/desk-child.ts '<json: {mode, apiBase, dataDir, keychainFile, partnerToken?, login?, password?, chainId, locationId, membershipId}>'
 *
 * stdout, one JSON line each: {"step": "signed-in"} / {"step": "sending", freezeTill} / {"step": "resolved", op, audit}.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { freezeAvailability } from '../../common/freeze-rules';
import type { Membership } from '../../preload/contract';
import { createCore } from '../../main/core/app';
import { createJournal } from '../../main/core/batch/journal';
import { dispatch } from '../../main/core/dispatch';
import type { SecretStore } from '../../main/core/session/secret-store';

interface Args {
  mode: 'freeze' | 'restart';
  apiBase: string;
  dataDir: string;
  keychainFile: string;
  partnerToken?: string;
  login?: string;
  password?: string;
  chainId: number;
  locationId: number;
  membershipId: number;
}

/** The OS keychain's stand-in across the two processes (a test fake: plain JSON in a temp folder). */
function fileKeychain(path: string): SecretStore {
  const read = (): Record<string, string> => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {});
  return {
    get: async (account) => read()[account] ?? null,
    set: async (account, secret) => writeFileSync(path, JSON.stringify({ ...read(), [account]: secret })),
    delete: async (account) => {
      const all = read();
      const had = account in all;
      delete all[account];
      writeFileSync(path, JSON.stringify(all));
      return had;
    },
  };
}

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function ok<T>(p: Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as Args;
  const core = await createCore({ dataDir: a.dataDir, shell: 'web', secrets: fileKeychain(a.keychainFile), apiBase: a.apiBase });
  if (a.mode === 'freeze') {
    await ok(dispatch(core.handlers, 'settings.setPartnerToken', { token: a.partnerToken ?? '' }));
    await ok(dispatch(core.handlers, 'session.signIn', { login: a.login ?? '', password: a.password ?? '' }));
    say({ step: 'signed-in' });
    const m: Membership = await ok(dispatch(core.handlers, 'memberships.get', { chainId: a.chainId, membershipId: a.membershipId }));
    const can = freezeAvailability(m, { periodEdit: true }, new Date(), core.session.locationTimezone(a.locationId) ?? 'UTC');
    if (!can.allowed) throw new Error(`not freezable: ${can.reason}`);
    say({ step: 'sending', freezeTill: can.firstDate });
    await dispatch(core.handlers, 'memberships.freeze', { chainId: a.chainId, locationId: a.locationId, membershipId: a.membershipId, freezeTill: can.firstDate, reason: 'crash test' });
    say({ step: 'answered' });
    return;
  }
  // restart: nothing is asked of the core; start-up alone must decide the interrupted write.
  const journal = createJournal(core.store.db);
  while (journal.openDeskJobs().length > 0) await new Promise((r) => setTimeout(r, 20));
  const job = core.store.db.prepare(`SELECT id FROM batch_jobs WHERE scope = 'desk'`).all() as Array<{ id: string }>;
  const op = job[0] ? journal.op(job[0].id, 0) : null;
  const audit = core.store.audit.list({ membershipId: a.membershipId });
  say({ step: 'resolved', jobs: job.length, op: op && { state: op.state, attempts: op.attempts }, audit: audit.map((e) => ({ action: e.action, outcome: e.outcome })) });
  await core.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`desk child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
