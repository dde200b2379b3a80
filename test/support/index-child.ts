/**
 * Child process for the index crash-resume test: opens the store on the given SQLite file and runs
 * (or resumes) the first sync of a chain against the sandbox the parent runs, printing one line
 * "page <pages read> <rows read>" after each committed page. The parent SIGKILLs it mid-way.
 *
 *   tsx test/support/index-child.ts '<json: {url, partnerToken, userToken, dbPath, chainId, perSecond}>'
 */
import { createAltegioClient } from '../../main/core/altegio/client';
import { createRateLimiter } from '../../main/core/altegio/rate-limiter';
import { createIndexRepo } from '../../main/core/index/repo';
import { firstSync } from '../../main/core/index/sync';
import { openStore } from '../../main/core/store';

interface ChildArgs {
  url: string;
  partnerToken: string;
  userToken: string;
  dbPath: string;
  chainId: number;
  perSecond: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const store = openStore(args.dbPath);
  const limiter = createRateLimiter({ perSecond: args.perSecond, perMinute: args.perSecond * 60 });
  const api = createAltegioClient({ credentials: () => ({ baseUrl: args.url, partnerToken: args.partnerToken, userToken: args.userToken }), limiter });
  const repo = createIndexRepo(store.db, store.transaction);
  const key = { server: args.url, chainId: args.chainId };
  await firstSync(key, { api, repo, limiter, now: () => new Date(), onProgress: () => {
    const s = repo.sync(key);
    if (s) process.stdout.write(`page ${s.requests} ${s.rowsRead}\n`);
  } }, new AbortController().signal);
  process.stdout.write('done\n');
  store.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`index child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
