/**
 * The contract implemented: channel -> core function. Arguments arrive already validated by
 * `dispatch`; this file only routes, so every rule lives in its own module.
 */
import type { StartupNotice } from '../../preload/contract';
import type { BatchService } from './batch/service';
import type { BulkService } from './bulk/service';
import { findClientOf } from './index/phone-clients';
import type { PlansService } from './plans/service';
import type { ConnectivityReport } from './connectivity';
import packageJson from '../../package.json' with { type: 'json' };
import type { Handlers } from './dispatch';
import type { IndexService } from './index/service';
import type { LanguageSetting } from './language';
import type { MembershipService } from './memberships/service';
import type { SessionService } from './session/session';
import { AUDIT_MAX_LIMIT, type Store } from './store';
import { auditCsv } from './audit-export';
import { DeskFailure } from './errors';
import { msg } from '../../common/i18n/translate';
import { callingCodeForZone, internationalDigits } from '../../common/phone';

export interface HandlerDeps {
  shell: 'electron' | 'web';
  session: SessionService;
  /** Online/offline, for the renderer's first look (changes arrive as `network.status`). */
  connectivity?: Pick<ConnectivityReport, 'online'>;
  memberships: MembershipService;
  store: Store;
  batch: BatchService;
  bulk: BulkService;
  plans: PlansService;
  /** What happened at start-up that the person should know. */
  notices?: StartupNotice[];
  index: IndexService;
  /** Told whether a dialog is open in the renderer (the update policy waits for none). */
  activity?: { setDialogOpen(open: boolean): void };
  /** "Save diagnostics…": one file for support, without secrets. */
  diagnostics?: () => Promise<{ fileName: string; text: string }>;
  /** The interface language chosen on this PC, and the system's. */
  language: LanguageSetting;
}



export function createHandlers({ shell, session, connectivity, memberships, store, batch, bulk, notices = [], index, activity, diagnostics, language, plans }: HandlerDeps): Handlers {
  // What the app reads or writes, the index shows at once: the memberships service notes its reads
  // there as Altegio answered them (app.ts), never with the date the card adds (sent-freeze.ts).
  /** A phone as typed at this location, read the way its country writes it (common/phone.ts). */
  const phoneAt = (locationId: number, text: string): string | null => internationalDigits(text, callingCodeForZone(session.locationTimezone(locationId)));
  return {
    'app.info': async () => ({ version: packageJson.version, shell, demoAvailable: true, notices }),
    'app.saveDiagnostics': async () => {
      if (!diagnostics) throw new DeskFailure('server', msg('error.app.diagnosticsUnavailable'));
      return diagnostics();
    },
    'network.get': async () => ({ online: connectivity?.online() ?? true }),
    'app.activity': async ({ dialogOpen }) => {
      activity?.setDialogOpen(dialogOpen);
      return {};
    },

    'language.get': async () => language.get(),
    'language.set': async ({ language: chosen }) => language.set(chosen),

    'settings.get': () => session.settings(),
    'settings.setPartnerToken': ({ token, serverUrl }) => session.setPartnerToken(token, serverUrl),
    'settings.removePartnerToken': () => session.removePartnerToken(),

    'session.get': () => session.getState(),
    'session.signIn': (args) => session.signIn(args),
    'session.reauthenticate': ({ password }) => session.reauthenticate(password),
    'session.startDemo': () => session.startDemo(),
    'session.switchProfile': ({ profileId }) => session.switchProfile(profileId),
    'session.signOut': ({ profileId }) => session.signOut(profileId),
    'session.selectLocation': ({ chainId, locationId }) => session.selectLocation(chainId, locationId),

    'clients.search': ({ locationId, query, limit }) =>
      // A phone is asked for as its international digits, any other text as typed.
      session.api().searchClients(locationId, phoneAt(locationId, query) ?? query, { pageSize: limit ?? 20 }),
    'memberships.forClient': async ({ locationId, clientId }) => {
      const found = await memberships.forClient(locationId, clientId);
      index.rememberClient(found.client, locationId, found.memberships);
      return found;
    },
    'memberships.byPhone': ({ locationId, phone }) => memberships.byPhone(locationId, phone),
    'memberships.get': ({ chainId, membershipId }) => memberships.get(chainId, membershipId),
    'memberships.freeze': (args) => memberships.freeze(args),
    'memberships.unfreeze': (args) => memberships.unfreeze(args),
    'memberships.setBalance': (args) => memberships.setBalance(args),
    'memberships.setPeriod': (args) => memberships.setPeriod(args),

    'plans.list': async () => plans.list(),
    'plans.create': (args) => plans.create(args),
    'plans.createClosure': async (args) => plans.createClosure(args),
    'plans.update': async (args) => plans.update(args),
    'plans.cancel': async ({ planId }) => plans.cancel(planId),
    'plans.runNow': ({ planId }) => plans.runNow(planId),

    'audit.list': async (filter) => ({ entries: store.audit.list(filter) }),
    'audit.exportCsv': async ({ delimiter, language, ...filter }) => {
      const locations = new Map((await session.getState()).chains.flatMap((c) => c.locations.map((l) => [l.id, l.title] as const)));
      return auditCsv(store.audit.list({ ...filter, limit: filter.limit ?? AUDIT_MAX_LIMIT }), {
        ...(filter.timezone ? { timezone: filter.timezone } : {}),
        ...(delimiter ? { delimiter } : {}),
        ...(language ? { language } : {}),
        locationTitle: (id) => locations.get(id),
      });
    },
    'audit.undo': ({ auditId, reason, language }) => memberships.undo(auditId, reason, language),

    'batch.open': (args) => batch.open(args),
    'batch.check': (args) => batch.check(args),
    'batch.stopCheck': () => batch.stopCheck(),
    'batch.fixMe': (args) => batch.fixMe(args),
    'batch.rows': (args) => batch.rows(args),
    'batch.apply': (args) => batch.apply(args),
    'batch.pause': (args) => batch.pause(args),
    'batch.resume': (args) => batch.resume(args),
    'batch.cancel': (args) => batch.cancel(args),
    'batch.list': () => batch.list(),
    'batch.report': (args) => batch.report(args),
    'batch.undo': (args) => batch.undo(args),

    'bulk.preview': (args) => bulk.preview(args),
    'bulk.apply': (args) => bulk.apply(args),

    'index.status': async ({ chainId }) => index.status(chainId),
    'index.sync': async ({ chainId }) => index.sync(chainId),
    'index.stop': ({ chainId }) => index.stop(chainId),
    'index.forget': ({ chainId }) => index.forget(chainId),
    'index.find': async ({ chainId, query, limit }) => index.find(chainId, query, limit ?? 20),
    'index.findClient': async (args) => {
      index.keyFor(args.chainId);
      return findClientOf({ api: () => session.api(), remember: (c, l, ms) => index.rememberClient(c, l, ms), timezone: (l) => session.locationTimezone(l) }, args);
    },
    'index.worklist': async ({ chainId, locationId, offset, limit, ...query }) => index.worklist(chainId, locationId, query, { offset, limit }),
    'index.worklistCsv': async ({ chainId, locationId, delimiter, language, ...query }) => index.worklistCsv(chainId, locationId, query, delimiter, language),
  };
}
