/**
 * The composition root of the core: one store, one rate limiter, one session, one membership
 * service, one event hub — wired once, shared by whichever shell runs it (Electron or web).
 */
import { join } from 'node:path';
import type { StartupNotice } from '../../preload/contract';
import { createAltegioClient } from './altegio/client';
import { createRateLimiter, type RateLimiter } from './altegio/rate-limiter';
import { createMembershipClaims } from './jobs/claims';
import { createBatchService } from './batch/service';
import { createBulkService } from './bulk/service';
import { refreshIndexAfterJobs } from './index/after-jobs';
import { systemClock, type Clock } from './clock';
import { createConnectivity, httpProbe, type Connectivity } from './connectivity';
import type { Handlers } from './dispatch';
import { lockDataDir, type DataLock } from './data-lock';
import { DATABASE_FILE, folderFailure, openOrRecoverStore, prepareDataFolder } from './startup';
import { createEventHub, type EventHub } from './events';
import { createHandlers } from './handlers';
import { createIndexService, type IndexService } from './index/service';
import { createFileSink, createLogger, LOG_FILE, silentLogger, teeLogger, type Logger } from './log';
import { buildDiagnostics } from './diagnostics';
import packageJson from '../../package.json' with { type: 'json' };
import { createLanguageSetting } from './language';
import { createMembershipService } from './memberships/service';
import type { ClosureDeps } from './plans/closure';
import { createPlansService } from './plans/service';
import { createKeytarSecretStore } from './session/keytar-secret-store';
import type { SecretStore } from './session/secret-store';
import { createSessionService, normalizeServerUrl, SETTINGS_SERVER_URL, type DemoBackend, type SessionService } from './session/session';
import type { Store } from './store';

const ACTIVE_JOB_STATES: ReadonlySet<string> = new Set(['running', 'offline', 'waiting_auth']);

export interface CoreOptions {
  /** The app's data folder (the SQLite database lives here; never a secret). */
  dataDir: string;
  shell: 'electron' | 'web';
  log?: Logger;
  /** Defaults to the OS keychain through keytar. */
  secrets?: SecretStore;
  /** A custom Altegio-compatible server to sign in to (test servers, proxies). */
  apiBase?: string;
  /** Start the demo when nobody is signed in (the web shell's `--demo`). */
  demoByDefault?: boolean;
  /** Requests per second/minute for the shared limiter (Altegio documents 5/s and 200/min per IP). */
  rate?: { perSecond: number; perMinute: number };
  /** The system's preferred languages (Electron: app.getLocale() first); the web shell leaves it to the browser. */
  systemLocales?: () => readonly string[];
  /** Tests and development: run in the pseudo-language (every catalog text marked), never stored. */
  pseudoLanguage?: boolean;
  /** What time it is for scheduled plans and desk date rules (tests: a test clock). */
  clock?: Clock;
}

export interface Core {
  handlers: Handlers;
  connectivity: Connectivity;
  events: EventHub;
  session: SessionService;
  store: Store;
  limiter: RateLimiter;
  index: IndexService;
  /** What is under way that an update must not interrupt ('batch', 'dialog'), or null. */
  activity: { busy(): string | null };
  close(): Promise<void>;
}

/** The in-process sandbox behind "Try the demo", started on first use. */
function createDemoBackend(): DemoBackend & { stop(): Promise<void> } {
  let running: Promise<Awaited<ReturnType<typeof import('../sandbox/server').startSandbox>>> | null = null;
  return {
    async start() {
      // Loaded lazily: the sandbox (and its seed data) costs nothing until someone tries the demo.
      running ??= import('../sandbox/server').then((m) => m.startSandbox());
      const sandbox = await running;
      return { serverUrl: sandbox.url, partnerToken: sandbox.partnerToken, login: sandbox.login, password: sandbox.password };
    },
    async stop() {
      if (running) await (await running).close();
      running = null;
    },
  };
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const shellLog = options.log ?? silentLogger;
  // Canonical form, as the session stores and looks up server URLs (refused before anything opens).
  const apiBase = options.apiBase ? normalizeServerUrl(options.apiBase) : null;
  prepareDataFolder(options.dataDir);
  // Also into the data folder's own log (redacted like every line), for "Save diagnostics…".
  const logPath = join(options.dataDir, LOG_FILE);
  const log = teeLogger(shellLog, createLogger(createFileSink(logPath)));
  log.info('core starting', { version: packageJson.version, shell: options.shell, platform: process.platform });
  let lock: DataLock;
  try {
    lock = lockDataDir(options.dataDir);
  } catch (e) {
    throw folderFailure(options.dataDir, e) ?? e;
  }
  let store: Store;
  let notices: StartupNotice[];
  try {
    ({ store, notices } = openOrRecoverStore(join(options.dataDir, DATABASE_FILE), log));
  } catch (e) {
    lock.release();
    throw e;
  }
  for (const n of notices) {
    log.warn('start-up: the database was damaged; kept aside, started with a fresh one', { keptAs: n.keptAs, unfinishedBatches: n.unfinished?.length ?? 'unreadable' });
  }
  if (apiBase !== null) store.settings.set(SETTINGS_SERVER_URL, apiBase);

  const events = createEventHub();
  const clock = options.clock ?? systemClock;
  const secrets = options.secrets ?? createKeytarSecretStore();
  const limiter = createRateLimiter(options.rate ?? { perSecond: 5, perMinute: 200 });
  const demo = createDemoBackend();
  // The one owner of online/offline: every client reports to it, it probes while offline, and
  // each change is the one `network.status` event. `session` is read lazily by the probe.
  const serverUrl: { current: () => string | null } = { current: () => null };
  const connectivity = createConnectivity({
    probe: httpProbe(() => serverUrl.current()),
    onListenerError: (e) => log.warn('network listener failed', { error: e instanceof Error ? e.message : String(e) }),
  });
  connectivity.onChange((online) => events.emit('network.status', { online }));
  const session = createSessionService({
    store,
    secrets,
    log,
    demo,
    apiFor: (credentials) => createAltegioClient({ credentials, limiter, log, connectivity }),
    onChange: (state) => events.emit('session.changed', state),
  });
  serverUrl.current = () => session.snapshot().profile?.serverUrl ?? null;
  await session.ready();
  if (options.demoByDefault && session.snapshot().status === 'signed_out') {
    try {
      await session.startDemo();
    } catch (e) {
      log.warn('demo did not start', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  // One set of claims for every runner: a desk write and a batch never overwrite each other.
  const claims = createMembershipClaims();
  const memberships = createMembershipService({
    api: () => session.api(),
    store,
    claims,
    log,
    user: () => session.currentUser(),
    rights: (chainId) =>
      session.rightsFor(chainId) ?? { loyalty: false, periodEdit: false, balanceEdit: false, history: false },
    timezone: (locationId) => session.locationTimezone(locationId) ?? 'UTC',
    now: () => clock.now(),
    // The index is made below: reads happen only once the core is up.
    seen: (list) => index.noteMemberships(list),
  });
  // Closures run as bulk freeze jobs: the bulk service and the index come later (set below).
  const later: { closures?: ClosureDeps } = {};
  const plans = createPlansService({ store, session, memberships, clock, events, log, closures: () => later.closures });

  // A desk write the app stopped during (crash, kill) is decided by reading once someone is
  // signed in (at once when the keychain still holds the sign-in); it is never sent again.
  const stopping = new AbortController();
  const leftovers = session
    .waitForSignedIn(stopping.signal)
    .then(() => memberships.resolveLeftovers())
    .catch((e: unknown) => {
      if (!stopping.signal.aborted) log.warn('desk: interrupted writes not resolved yet', { error: e instanceof Error ? e.message : String(e) });
    });

  // The index is made below; a check asks it for numbers only once a file is checked.
  const batch = createBatchService({ store, api: () => session.api(), session, events, limiter, claims, log, numberIndex: (chainId) => index.numberIndex(chainId) });

  const index = createIndexService({
    db: store.db,
    transaction: store.transaction,
    session,
    limiter,
    emit: (status) => events.emit('index.progress', status),
    timezone: (locationId) => session.locationTimezone(locationId),
    log,
  });

  // What a batch or bulk job changed, the index (and an open worklist) shows once it stops.
  const afterJobs = refreshIndexAfterJobs({ events, journal: batch.journal, api: () => session.api(), index, log });
  const bulk = createBulkService({ api: () => session.api(), session, batch, index, events, limiter, now: () => clock.now() });
  later.closures = { bulk, index };

  // Batches and bulk actions run as journal jobs: one in an active state is work under way.
  let dialogOpen = false;
  const activity = {
    setDialogOpen: (open: boolean) => void (dialogOpen = open),
    busy: (): string | null => {
      if (dialogOpen) return 'dialog';
      return batch.journal.listStarted(20).some((j) => ACTIVE_JOB_STATES.has(j.state)) ? 'batch' : null;
    },
  };

  const diagnostics = () =>
    buildDiagnostics({
      version: packageJson.version,
      shell: options.shell,
      store,
      secrets,
      // Diagnostics matter most when the keychain is broken: the server from the store then.
      serverUrl: async () => {
        try {
          return (await session.settings()).serverUrl;
        } catch {
          return store.settings.get(SETTINGS_SERVER_URL) ?? '';
        }
      },
      batches: async () => (await batch.list()).batches,
      logPath,
    });

  const language = createLanguageSetting({
    settings: store.settings,
    ...(options.systemLocales ? { systemLocales: options.systemLocales } : {}),
    pseudo: options.pseudoLanguage === true,
  });

  const handlers = createHandlers({ shell: options.shell, session, connectivity, memberships, store, batch, bulk, notices, index, activity, diagnostics, language, plans });

  return {
    handlers,
    connectivity,
    events,
    session,
    store,
    limiter,
    index,
    activity,
    async close() {
      stopping.abort();
      await leftovers;
      await plans.close();
      connectivity.stop();
      afterJobs.stop();
      await index.close();
      await batch.close();
      await demo.stop();
      store.close();
      lock.release();
    },
  };
}
