/**
 * THE contract between the renderer and the core: the one door.
 *
 * Every channel is declared once here with a zod schema for its argument and its result; both
 * shells (Electron IPC, loopback web shell) bind it generically and validate every argument before
 * a handler runs, so the core trusts nothing that comes from the page. Types on both sides are
 * inferred from these schemas. Errors travel as data (`Reply`), never as thrown stack traces.
 *
 * This file must stay free of Node, Electron and DOM imports: it is bundled into the preload, the
 * renderer (types and channel names) and the core.
 */
import { z } from 'zod';
import { LANGUAGES, PSEUDO_LANGUAGE } from '../common/i18n/languages';
import { KNOWN_SERVERS, serverUrlProblem } from '../common/servers';
import { MAX_BALANCE } from '../common/limits';

// ---------------------------------------------------------------------------------------------
// Errors

export const errorKinds = [
  'auth_expired',
  'forbidden',
  'not_found',
  'validation',
  'rate_limited',
  'offline',
  'server',
  'licence_expired',
  'conflict',
  'keychain_unavailable',
  'bad_input',
  /** The local database could not be written (full disk, I/O error, locked, read-only, damaged). */
  'storage',
] as const;
export const ErrorKind = z.enum(errorKinds);
export type ErrorKind = z.infer<typeof ErrorKind>;

/**
 * Who a failure comes from: the app's own refusal or fault (`app`), Altegio's answer (`altegio`),
 * the way to Altegio (`network`), or the app's own local service that the window talks to (`shell`).
 */
export const errorOrigins = ['app', 'altegio', 'network', 'shell'] as const;
export const ErrorOrigin = z.enum(errorOrigins);
export type ErrorOrigin = z.infer<typeof ErrorOrigin>;

/**
 * A message by reference (`Msg`, common/i18n/translate.ts): a catalog key and its parameters, which
 * the renderer puts into words in the language in use (`wordMsg`). Parameters are strings or
 * numbers (calendar days as `YYYY-MM-DD`) or messages. The core keeps English (`inEnglish`) for logs.
 */
export type MsgData = { key: string; params?: Record<string, string | number | MsgData> | undefined };
export const MsgData: z.ZodType<MsgData> = z.object({
  key: z.string().min(1).max(200),
  /** A parameter may itself be a message (a value or a sentence inside the message), worded first. */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.lazy(() => MsgData)])).optional(),
});

export const DeskError = z.object({
  kind: ErrorKind,
  /** Stable name of this failure (`altegio.wrong_credentials`, `shell.unreachable`; the app's own refusals: their message's catalog key, `error.app.planGone`…): what code and the renderer's words key on, never the message. */
  code: z.string().min(1).max(80),
  origin: ErrorOrigin,
  /** The core's explanation (English; for logs, and shown only when the failure has no `msg` and the renderer has no words for `code`). */
  message: z.string(),
  /** The same explanation by reference: the renderer words it in the language in use. */
  msg: MsgData.optional(),
  /** The message is Altegio's own words (then `serverMessage` repeats it). */
  messageIsServers: z.boolean().optional(),
  /** Field name (as in the channel's argument, or a CSV "line:column") -> what is wrong. */
  fields: z.record(z.string(), z.string()).optional(),
  /** Per field, the `fields` text by reference (the renderer words it; `fields` stays English for logs). */
  fieldMsgs: z.record(z.string(), MsgData).optional(),
  /** Per field, what the argument check found, as a code the renderer words from its catalogs
   *  (the `fields` texts are the schema's own words, for logs; never shown when this is present). */
  fieldIssues: z.record(z.string(), z.object({ code: z.enum(['too_long', 'too_short', 'too_big', 'too_small', 'required', 'invalid']), limit: z.number().optional() })).optional(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** Altegio's own words for the failure (support asks for them), shown beside the app's explanation. */
  serverMessage: z.string().max(400).optional(),
});
export type DeskError = z.infer<typeof DeskError>;
export type FieldIssue = NonNullable<DeskError['fieldIssues']>[string];

export type Reply<T> = { ok: true; value: T } | { ok: false; error: DeskError };

// ---------------------------------------------------------------------------------------------
// Building blocks

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** Calendar date in a location's time zone, `YYYY-MM-DD`. */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-05-20');
/** Free-text reason attached to every write (kept in the audit log). */
const Reason = z.string().trim().max(500);
const ProfileId = z.string().min(1).max(100);
/** Base URL of an Altegio-compatible API, e.g. https://api.alteg.io/api (https; http on this computer only). */
export const ServerUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => serverUrlProblem(u) === null, 'Enter a full https:// address (http:// only for localhost), without a user name, password, "?" or "#"');

export const DEFAULT_SERVER_URL: string = KNOWN_SERVERS[0].url;

/** A chain right from /groups `access`: null when the flag was missing (unknown: offer the action, Altegio decides). */
const Right = z.boolean().nullable();
export const Rights = z.object({
  loyalty: Right,
  /** loyalty_abonement_period_edit_access: freeze, unfreeze, change validity */
  periodEdit: Right,
  /** loyalty_abonement_balance_edit_access: change visit balances */
  balanceEdit: Right,
  history: Right,
  /**
   * Actions Altegio refused (403) on this chain since the last sign-in, with its words: they stay
   * off until the next sign-in reads the rights again (common/rights.ts).
   */
  refused: z.object({ periodEdit: z.string().max(400), balanceEdit: z.string().max(400) }).partial().optional(),
});
export type Rights = z.infer<typeof Rights>;

export const Location = z.object({
  id: Id,
  title: z.string(),
  /** IANA zone, e.g. America/Chicago; every date rule is evaluated in it. */
  timezone: z.string(),
  /**
   * true: Altegio gave no usable zone for the location, so `timezone` is UTC by assumption (the UI
   * says so where days are counted). Optional: locations cached by earlier versions lack it.
   */
  timezoneAssumed: z.boolean().optional(),
});
export type Location = z.infer<typeof Location>;

export const Chain = z.object({
  id: Id,
  title: z.string(),
  locations: z.array(Location),
  rights: Rights,
});
export type Chain = z.infer<typeof Chain>;

export const Profile = z.object({
  id: ProfileId,
  /** The Altegio user's display name: every write is attributed to it. */
  name: z.string(),
  login: z.string(),
  /** Altegio's user id; 0 when /auth gave none (the profile is then keyed by the login). */
  userId: z.number().int(),
  serverUrl: z.string(),
  demo: z.boolean(),
  lastChainId: Id.nullable(),
  lastLocationId: Id.nullable(),
});
export type Profile = z.infer<typeof Profile>;

export const SessionStatus = z.enum(['signed_out', 'signed_in', 'expired']);
export const SessionState = z.object({
  status: SessionStatus,
  profile: Profile.nullable(),
  profiles: z.array(Profile),
  chains: z.array(Chain),
  selection: z.object({ chainId: Id, locationId: Id }).nullable(),
});
export type SessionState = z.infer<typeof SessionState>;

export const Settings = z.object({
  serverUrl: z.string(),
  /** Last four characters of the stored partner token, never more. */
  partnerTokenHint: z.string().nullable(),
});
export type Settings = z.infer<typeof Settings>;

/** A language the interface can be set to (the pseudo-language only where the core was started with it). */
export const UiLanguageCode = z.enum([...LANGUAGES, PSEUDO_LANGUAGE]);
/** The language a file the core writes (a report, an export) is worded in: the one in use on screen. */
export const ContentLanguage = z.enum(LANGUAGES);
export const LanguageState = z.object({
  /** Chosen on this PC (Settings or the sign-in screen); null: follow the system. */
  chosen: UiLanguageCode.nullable(),
  /** The system's preferred languages, most preferred first (Electron: app.getLocale()); empty in the web shell, where the browser's are used. */
  system: z.array(z.string().max(35)).max(20),
});
export type LanguageState = z.infer<typeof LanguageState>;

export const ClientSummary = z.object({
  id: Id,
  name: z.string(),
  phone: z.string().nullable(),
  card: z.string().nullable(),
});
export type ClientSummary = z.infer<typeof ClientSummary>;

export const MembershipStatusSlug = z.enum(['created', 'active', 'expired', 'wasted', 'unknown']);
export type MembershipStatusSlug = z.infer<typeof MembershipStatusSlug>;

export const PeriodUnit = z.enum(['day', 'week', 'month', 'year']);
export type PeriodUnit = z.infer<typeof PeriodUnit>;

export const BalanceLine = z.object({
  /** Chain service or category id: the id set_balance takes. */
  serviceId: Id,
  title: z.string(),
  isCategory: z.boolean(),
  count: z.number().int(),
  unlimited: z.boolean(),
});
export type BalanceLine = z.infer<typeof BalanceLine>;

export const Balance = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('united'), count: z.number().int(), unlimited: z.boolean(), lines: z.array(BalanceLine) }),
  z.object({ kind: z.literal('per_service'), lines: z.array(BalanceLine) }),
]);
export type Balance = z.infer<typeof Balance>;

export const MembershipType = z.object({
  id: Id,
  title: z.string(),
  allowFreeze: z.boolean(),
  /** Freeze allowance in `freezeLimitUnit` units; 0 means no allowance. */
  freezeLimit: z.number().int().nonnegative(),
  freezeLimitUnit: PeriodUnit,
  /** Raw balance_edit_type_id (0 prohibited, 1 selling location only, 2 any location). */
  balanceEditType: z.number().int().nullable(),
  period: z.number().int().nonnegative(),
  periodUnit: PeriodUnit.nullable(),
  /** Locations the type is sold at, when Altegio lists them. */
  attachedLocationIds: z.array(Id).optional(),
});
export type MembershipType = z.infer<typeof MembershipType>;

/** Membership fields Altegio may leave out (no real example carries them); the app then says "unknown". */
export const NotGivenField = z.enum(['createdDate', 'activatedDate', 'expirationDate', 'freezeLimitUnit', 'balanceEditType']);
export type NotGivenField = z.infer<typeof NotGivenField>;

export const Membership = z.object({
  id: Id,
  number: z.string(),
  chainId: Id,
  balanceString: z.string(),
  status: z.object({ id: z.number().int(), slug: MembershipStatusSlug, title: z.string() }),
  isFrozen: z.boolean(),
  /** Days frozen so far, in total. */
  freezePeriodDays: z.number().int().nonnegative(),
  freezeTill: z.string().nullable(),
  /**
   * 'app' when Altegio's read said frozen without a date (it documents `freeze_till` only in the
   * freeze answer) and `freezeTill` is the date this app sent: the card says so.
   */
  freezeTillSource: z.literal('app').optional(),
  createdDate: z.string().nullable(),
  activatedDate: z.string().nullable(),
  expirationDate: z.string().nullable(),
  /**
   * The membership's own validity (its top-level `period`/`period_unit_id`, which set_period
   * changes; the type's are the defaults it was sold with). Absent when Altegio did not send them.
   */
  period: z.number().int().nonnegative().optional(),
  periodUnit: PeriodUnit.nullable().optional(),
  type: MembershipType,
  balance: Balance,
  /**
   * Fields the answer did not carry at all (as opposed to null): shown as "unknown", never guessed.
   * A missing freeze-limit unit is counted in days (the shortest, so no freeze can pass the real
   * allowance) and said so. Optional: memberships stored by earlier versions lack it.
   */
  notGiven: z.array(NotGivenField).optional(),
});
export type Membership = z.infer<typeof Membership>;

/** A scheduled change's kind and state (here: the audit snapshots below use them). */
export const PlanKind = z.enum(['freeze', 'unfreeze']);
export const PlanState = z.enum(['planned', 'running', 'done', 'failed', 'cancelled']);

/** What a write asked for, kept in its `before` snapshot (the undo and the "Asked:" lines read it). */
export const AuditRequest = z.object({
  freezeTill: z.string().optional(),
  united: z.number().optional(),
  services: z.record(z.string(), z.number()).optional(),
  /** set_period: the validity sent, the expiry it gives, and the one it replaced (for the undo). */
  period: z.number().optional(),
  periodUnit: PeriodUnit.optional(),
  expiry: z.string().optional(),
  previous: z.object({ period: z.number(), unit: PeriodUnit, expiry: z.string() }).optional(),
});
export type AuditRequest = z.infer<typeof AuditRequest>;

/** A membership as the audit log keeps it before/after a write (main/core/ops/snapshot.ts). */
export const MembershipSnapshot = z.object({
  shape: z.literal('membership'),
  isFrozen: z.boolean(),
  freezeTill: z.string().nullable(),
  expirationDate: z.string().nullable(),
  freezePeriodDays: z.number(),
  statusSlug: z.string(),
  /** Absent when unlimited or when the balance is per service. */
  united: z.number().optional(),
  /** Service id → count (limited lines only). */
  services: z.record(z.string(), z.number()).optional(),
  /** Service id → title, so the log can say "Pilates group", not "Service 12840551". */
  serviceTitles: z.record(z.string(), z.string()).optional(),
  /** In `before` only: what this write asked for. */
  request: AuditRequest.optional(),
});
export type MembershipSnapshot = z.infer<typeof MembershipSnapshot>;

/** A scheduled change as the audit log keeps it (main/core/plans/service.ts). */
export const PlanSnapshot = z.object({
  shape: z.literal('plan'),
  planKind: PlanKind,
  planStart: z.string(),
  planEnd: z.string().nullable(),
  planState: PlanState,
  /** A closure: how many memberships, and its job once started. */
  planMemberships: z.number().int().optional(),
  planJob: z.string().nullable().optional(),
});
export type PlanSnapshot = z.infer<typeof PlanSnapshot>;

/** A stored snapshot that fits no known shape (an older version wrote it): its values as they were. */
export const UnknownSnapshot = z.object({ shape: z.literal('unknown'), values: z.record(z.string(), z.unknown()) });

/** An audit entry's before/after. The core validates what it writes; readers decode (decodeAuditSnapshot). */
export const AuditSnapshot = z.discriminatedUnion('shape', [MembershipSnapshot, PlanSnapshot, UnknownSnapshot]);
export type AuditSnapshot = z.infer<typeof AuditSnapshot>;

/**
 * A stored snapshot (parsed JSON) as an AuditSnapshot, never throwing: rows written before snapshots
 * carried their shape are recognised by their fields; anything else becomes the 'unknown' shape.
 */
export function decodeAuditSnapshot(value: unknown): AuditSnapshot | null {
  if (value === null || value === undefined) return null;
  const tagged = AuditSnapshot.safeParse(value);
  if (tagged.success) return tagged.data;
  if (typeof value !== 'object' || Array.isArray(value)) return { shape: 'unknown', values: { value } };
  const fields = value as Record<string, unknown>;
  const membership = MembershipSnapshot.safeParse({ ...fields, shape: 'membership' });
  if (membership.success) return membership.data;
  const plan = PlanSnapshot.safeParse({ ...fields, shape: 'plan' });
  if (plan.success) return plan.data;
  return { shape: 'unknown', values: fields };
}

export const AuditAction = z.enum(['freeze', 'unfreeze', 'set_balance', 'set_period', 'undo', 'plan_create', 'plan_change', 'plan_cancel', 'plan_run']);
export const AuditOutcome = z.enum(['ok', 'failed', 'unknown']);
export const AuditEntry = z.object({
  id: z.number().int().positive(),
  at: z.string(),
  userName: z.string(),
  userId: z.number().int(),
  profileId: z.string(),
  chainId: z.number().int(),
  locationId: z.number().int().nullable(),
  membershipId: z.number().int(),
  membershipNumber: z.string(),
  /** The client the app saw the membership with when the entry was made (null: not known). */
  clientName: z.string().nullable().optional(),
  action: AuditAction,
  /** What the write changed: the membership (or plan) before and after. */
  before: AuditSnapshot.nullable(),
  after: AuditSnapshot.nullable(),
  reason: z.string(),
  outcome: AuditOutcome,
  /** What happened, in English (logs; shown when there is no `msg`: Altegio's own words, entries written before messages were kept by reference). */
  message: z.string().nullable(),
  /** The same by reference: the renderer words it in the language in use. */
  msg: MsgData.nullable().optional(),
  batchId: z.string().nullable(),
  undoOf: z.number().int().nullable(),
  undoneBy: z.number().int().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/**
 * A desk write's answer (freeze, unfreeze, set balance, set period): the membership as read back
 * after it, and the id of the audit entry this write made (what its Undo names; never guessed).
 */
export const DeskWriteResult = z.object({ membership: Membership, auditId: AuditEntry.shape.id });
export type DeskWriteResult = z.infer<typeof DeskWriteResult>;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const AuditFilter = z
  .object({
    membershipId: Id.optional(),
    /** A membership's number (as on the card) or its id: either finds it. */
    membership: z.string().trim().min(1).max(40).optional(),
    /** Part of the user's name, any case. */
    userName: z.string().max(200).optional(),
    locationId: Id.optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    /** The zone `from`/`to` are days in (the location's, as on screen); this computer's when absent. */
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(isTimeZone, 'Unknown time zone')
      .optional(),
    limit: z.number().int().min(1).max(5000).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilter>;

/** Visits left on one balance: a whole number 0 … MAX_BALANCE. */
const BalanceCount = z.number().int().min(0).max(MAX_BALANCE);
const ServiceBalance = z.object({ serviceId: Id, balance: BalanceCount }).strict();
/** One service (or category) line's balance: visits left. */
export type ServiceBalanceValue = z.infer<typeof ServiceBalance>;
/**
 * The balance one set_balance sets (or that a membership had): the united balance, or some service
 * lines. The one shape for the `memberships.setBalance` arguments (beside the ids and the reason),
 * the balance editor's plan (common/balance-rules.ts), the API client's body, the journal's
 * expect/target and the batch plan.
 */
export const BalanceTarget = z.union([z.object({ united: BalanceCount }).strict(), z.object({ services: z.array(ServiceBalance).min(1) }).strict()]);
export type BalanceTarget = z.infer<typeof BalanceTarget>;

// ---------------------------------------------------------------------------------------------
// Batch corrections (CSV)

/** The fields of a batch file, in the order the mapping shows them: the one list (core mapping, renderer panel). */
export const BATCH_FIELDS = ['membership_id', 'number', 'phone', 'service_id', 'service', 'balance', 'delta', 'reason'] as const;
export const BatchField = z.enum(BATCH_FIELDS);
export type BatchField = z.infer<typeof BatchField>;
export const Delimiter = z.enum([',', ';', '\t']);
/** Column index per field (null = not mapped). */
export const ColumnMapping = z.partialRecord(BatchField, z.number().int().min(0).max(500).nullable());
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export const BatchProblem = z.object({
  line: z.number().int(),
  /** The column's header text; null for a whole-row problem or a column without a header text. */
  column: z.string().nullable(),
  /** The column's number (1-based) when the problem concerns one cell. */
  columnNumber: z.number().int().positive().nullable().optional(),
  field: z.string().nullable(),
  /** What is wrong, by reference: the renderer words it in the language in use. */
  msg: MsgData,
  /** The same in English (logs). */
  message: z.string(),
});
export type BatchProblem = z.infer<typeof BatchProblem>;

export const BatchTotals = z.object({
  rows: z.number().int(),
  toChange: z.number().int(),
  unchanged: z.number().int(),
  invalid: z.number().int(),
  memberships: z.number().int(),
});

export const BatchState = z.enum(['draft', 'planned', 'running', 'paused', 'waiting_auth', 'offline', 'cancelled', 'done']);
export type BatchState = z.infer<typeof BatchState>;

export const BatchSummary = z.object({
  batchId: z.string(),
  kind: z.enum(['apply', 'undo']),
  fileName: z.string(),
  createdAt: z.string(),
  userName: z.string(),
  chainId: z.number().int(),
  state: BatchState,
  totals: BatchTotals,
  done: z.number().int(),
  failed: z.number().int(),
  conflicts: z.number().int(),
  undoOf: z.string().nullable(),
  undoneBy: z.string().nullable(),
  /** A bulk action's job: what it does, by reference (the renderer shows it instead of `fileName`); null for a file's batch. */
  title: MsgData.nullable().optional(),
  /** Why it is paused or waiting (a full disk, an interruption…), in plain words (English for logs). */
  message: z.string().nullable().optional(),
  /** The same by reference (the renderer words it). */
  msg: MsgData.nullable().optional(),
});
export type BatchSummary = z.infer<typeof BatchSummary>;

/**
 * Reading the memberships a file names before planning: ids in pages, one request per phone. A
 * file naming many memberships by number + phone costs minutes at Altegio's rate, so the check
 * stops before reading and asks (`ask`); `stopped`: cancelled from the screen.
 */
export const BatchLookups = z.object({
  state: z.enum(['none', 'ask', 'done', 'stopped']),
  /** Phones to look up (one request each) and pages of ids (one request per page). */
  phones: z.number().int().nonnegative(),
  idPages: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  /** Time those requests take at the current request rate. */
  estimateMs: z.number().int().nonnegative(),
});
export type BatchLookups = z.infer<typeof BatchLookups>;

/** A file checked against the current balances: what would change, what cannot, nothing sent. */
export const BatchCheck = z.object({
  /** What `batch.apply` and `batch.rows` take; null when nothing can be planned yet (columns not mapped, memberships not read). */
  checkId: z.string().nullable(),
  fileId: z.string(),
  fileName: z.string(),
  encoding: z.string(),
  delimiter: Delimiter,
  /** 'remembered': chosen by hand for an earlier file starting with the same line. */
  delimiterSource: z.enum(['detected', 'remembered', 'chosen']),
  headers: z.array(z.string()),
  /** The first rows exactly as read, so a wrong encoding or delimiter guess is obvious. */
  previewRows: z.array(z.array(z.string())),
  mapping: ColumnMapping,
  mappingSource: z.enum(['auto', 'remembered', 'manual']),
  /** Capped list; `problemCount` says how many there are in all. */
  problems: z.array(BatchProblem),
  problemCount: z.number().int(),
  totals: BatchTotals,
  lookups: BatchLookups,
  /** Time to apply at the current request rate. */
  estimateMs: z.number().int().nonnegative(),
  /** Valid rows Altegio may still refuse (shown before applying), by reference. */
  notices: z.array(MsgData),
});
export type BatchCheck = z.infer<typeof BatchCheck>;

export const BatchPlanRow = z.object({
  line: z.number().int(),
  membership: z.string(),
  /** The client the app saw the membership with (preview rows); null or absent: not known. */
  client: z.string().nullable().optional(),
  /** The membership's internal id once the row is resolved (the number is `membership`); null or absent: not resolved. */
  membershipId: z.number().int().nullable().optional(),
  service: z.string(),
  /** The row is on the membership's shared balance (`service` then holds its English name). */
  sharedBalance: z.boolean().optional(),
  before: z.number().int().nullable(),
  after: z.number().int().nullable(),
  reason: z.string(),
  status: z.enum(['change', 'unchanged', 'invalid', 'applied', 'failed', 'conflict', 'pending', 'skipped']),
  /** The row's problems, or why its write failed, in English (logs; shown only when there are no `msgs`). */
  message: z.string().nullable(),
  /** The row's problems by reference: the renderer words them in the language in use. */
  msgs: z.array(MsgData).optional(),
  /** The message by reference, when the app's own (the renderer words it; `message` is its English). */
  msg: MsgData.nullable().optional(),
});
export type BatchPlanRow = z.infer<typeof BatchPlanRow>;

const BatchId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/);
/** A file opened with `batch.open`, and one check of it (`batch.check`). */
const FileId = BatchId;
const CheckId = BatchId;
/** The largest file `batch.open` takes. */
export const MAX_BATCH_FILE_BYTES = 50 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Start-up notices

/** A batch a damaged database showed as not finished, as far as it could be read. */
export const UnfinishedBatch = z.object({
  fileName: z.string(),
  userName: z.string(),
  /** Operations (memberships) done. */
  applied: z.number().int().nonnegative(),
  /** Not sent at all. */
  notSent: z.number().int().nonnegative(),
  /** Sent, answer not recorded: may or may not have changed in Altegio. */
  uncertainCount: z.number().int().nonnegative(),
  /** Their membership numbers (the first 50). */
  uncertain: z.array(z.string()),
});
export type UnfinishedBatch = z.infer<typeof UnfinishedBatch>;

/** Something that happened while the app started and that the person should know. */
export const StartupNotice = z.object({
  code: z.literal('database_recovered'),
  /** Where the damaged database was kept. */
  keptAs: z.string(),
  /** Unfinished batches it showed; null when it could not be read that far. */
  unfinished: z.array(UnfinishedBatch).nullable(),
});
export type StartupNotice = z.infer<typeof StartupNotice>;

// ---------------------------------------------------------------------------------------------
// Membership index (one per chain and server, kept locally; see main/core/index/)

export const IndexStatus = z.object({
  chainId: Id,
  /** empty: never synced; paused: a first sync stopped part-way (it resumes where it stopped). */
  state: z.enum(['empty', 'syncing', 'refreshing', 'paused', 'ready']),
  /** Memberships in the index. */
  rows: z.number().int().nonnegative(),
  /** When the last complete pass started (UTC ISO); the lists say "as of" it. */
  asOf: z.string().nullable(),
  progress: z
    .object({
      phase: z.enum(['first', 'refresh']),
      fraction: z.number().min(0).max(1).nullable(),
      rowsRead: z.number().int().nonnegative(),
      requests: z.number().int().nonnegative(),
      etaMs: z.number().int().nonnegative().nullable(),
    })
    .nullable(),
  /** Why the last pass stopped, if it failed. */
  error: DeskError.nullable(),
});
export type IndexStatus = z.infer<typeof IndexStatus>;

export const IndexedMembership = z.object({
  membership: Membership,
  /** The client the app saw this membership with (search, card, batch); null: not known. */
  client: ClientSummary.pick({ id: true, name: true, phone: true }).nullable(),
  /** Where the app saw it (with its client), or the one location its type is sold at; null: not known. */
  locationId: Id.nullable(),
  /** When it was read from Altegio (UTC ISO). */
  readAt: z.string(),
});
export type IndexedMembership = z.infer<typeof IndexedMembership>;
/**
 * A worklist row: `expiryDay` is its expiry day at the desk's location, as the list filters and
 * sorts by it (the core's one judgement, index/worklists.ts expiryKey); `frozenTillDay` the last
 * frozen day there, as the list sorts by it (frozenTillKey). Null: none (not frozen, or no end date).
 */
export const WorklistRow = IndexedMembership.extend({ expiryDay: IsoDate.nullable(), frozenTillDay: IsoDate.nullable() });
export type WorklistRow = z.infer<typeof WorklistRow>;

const ChainArg = z.object({ chainId: Id }).strict();

export const WorklistKind = z.enum(['expiring', 'frozen', 'low_balance', 'not_activated', 'all']);
export type WorklistKind = z.infer<typeof WorklistKind>;
export const WorklistSort = z.enum(['number', 'expiry', 'type', 'status', 'balance', 'client', 'frozen_till']);
export type WorklistSort = z.infer<typeof WorklistSort>;
/** A worklist over the index; `locationId`: the desk's location (its today counts "within N days"). */
export const WorklistQuery = z
  .object({
    chainId: Id,
    locationId: Id,
    kind: WorklistKind,
    /** Expiring within this many days from today (inclusive). */
    days: z.number().int().min(0).max(366).default(14),
    /** Low balance: at most this many visits left (united, or on any one service). */
    visits: z.number().int().min(0).max(1000).default(1),
    typeIds: z.array(Id).max(200).optional(),
    /** Only types sold at this location. */
    atLocationId: Id.optional(),
    text: z.string().trim().max(100).optional(),
    sort: WorklistSort.default('expiry'),
    descending: z.boolean().default(false),
  })
  .strict();
export type WorklistQuery = z.input<typeof WorklistQuery>;

// ---------------------------------------------------------------------------------------------
// Bulk actions (issue 11 item 4): a journaled many-op job over a selection, previewed first

/** What a bulk action does to each membership of the selection. */
export const BulkAction = z.discriminatedUnion('kind', [
  /** Freeze until this date (the last frozen day, in the desk location's zone). */
  z.object({ kind: z.literal('freeze'), freezeTill: IsoDate }).strict(),
  z.object({ kind: z.literal('unfreeze') }).strict(),
  /** Add (positive) or remove (negative) visits: the united balance, or every limited service line. */
  z.object({ kind: z.literal('visits'), delta: z.number().int().min(-1000).max(1000).refine((d) => d !== 0, 'Give a number of visits other than 0') }).strict(),
  /** Extend validity: the expiry moves this many days later (set_period, counted from activation). */
  z.object({ kind: z.literal('extend'), days: z.number().int().min(1).max(3650) }).strict(),
]);
export type BulkAction = z.infer<typeof BulkAction>;

/** Why a row will not be changed (the renderer words each code with its params). */
export const BulkRefusal = z.enum([
  'unknown_ref',
  'not_found',
  'duplicate',
  'type_forbids',
  'no_allowance',
  'already_frozen',
  'not_activated',
  'expired',
  'used_up',
  'status_unknown',
  'no_days_left',
  'no_right',
  'date_too_early',
  'too_long',
  'not_frozen',
  'balance_edit_forbidden',
  'unlimited',
  'no_balance',
  'not_enough_visits',
  'too_many_visits',
  'activation_unknown',
  'expiry_unknown',
  'other',
]);
export type BulkRefusal = z.infer<typeof BulkRefusal>;
/** What will be done to a row. */
export const BulkChange = z.enum(['freeze', 'unfreeze', 'visits', 'extend']);
export type BulkChange = z.infer<typeof BulkChange>;

export const BulkPreviewRow = z.object({
  /** What was given: a number or id pasted, or the id from a worklist. */
  ref: z.string(),
  membershipId: Id.nullable(),
  number: z.string().nullable(),
  type: z.string().nullable(),
  client: z.string().nullable(),
  outcome: z.enum(['change', 'refused']),
  /** A BulkChange when outcome is 'change', a BulkRefusal when 'refused'. */
  code: z.union([BulkChange, BulkRefusal]),
  /** A parameter may be a message by reference (`other`'s `message`: the renderer words it). */
  params: z.record(z.string(), z.union([z.string(), z.number(), MsgData])),
});
export type BulkPreviewRow = z.infer<typeof BulkPreviewRow>;

export const BulkPreview = z.object({
  previewId: z.string(),
  action: BulkAction,
  rows: z.array(BulkPreviewRow),
  totals: z.object({ rows: z.number().int(), change: z.number().int(), refused: z.number().int() }),
  /** Time to apply at the current request rate. */
  estimateMs: z.number().int().nonnegative(),
});
export type BulkPreview = z.infer<typeof BulkPreview>;

/** The most memberships one bulk action takes. */
export const MAX_BULK = 5000;

// ---------------------------------------------------------------------------------------------
// Channels

const empty = z.object({}).strict();
const channel = <A extends z.ZodType, R extends z.ZodType>(args: A, result: R) => ({ args, result });

// ---------------------------------------------------------------------------------------------
// Scheduled freezes (plans kept on this PC; common/plan-rules.ts)

export const Plan = z.object({
  id: z.number().int().positive(),
  kind: PlanKind,
  chainId: Id,
  locationId: Id,
  timezone: z.string(),
  membershipId: Id,
  membershipNumber: z.string(),
  startDate: IsoDate,
  endDate: IsoDate.nullable(),
  reason: z.string(),
  state: PlanState,
  /** A failed run's words (Altegio's refusal, …; English when the app's own). */
  message: z.string().nullable(),
  /** The same by reference, when the app's own (the renderer words it). */
  msg: MsgData.nullable().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  /** Planned and its day has passed without running: the app asks (run now / cancel). */
  missed: z.boolean(),
  /** For a missed plan: what "run now" would do (a freeze until this day; null for an unfreeze), or null when nothing is left. */
  remaining: z.object({ freezeTill: IsoDate.nullable() }).nullable(),
  /**
   * A closure for a selection: `count` memberships frozen together by one bulk freeze job on the
   * start day (`batchId` once it started). Null for a plan for one membership. For a closure,
   * `membershipId` is the selection's first and `membershipNumber` names the first few numbers.
   */
  closure: z.object({ count: z.number().int().positive(), batchId: z.string().nullable() }).nullable(),
});
export type Plan = z.infer<typeof Plan>;
const PlanInput = z.object({ kind: PlanKind, startDate: IsoDate, endDate: IsoDate.nullable(), reason: Reason.optional() });

export const channels = {
  'app.info': channel(
    empty,
    z.object({
      version: z.string(),
      shell: z.enum(['electron', 'web']),
      demoAvailable: z.boolean(),
      /** What happened at start-up that the person should know (a damaged database kept aside…). */
      notices: z.array(StartupNotice).optional(),
    }),
  ),

  /** One file for support: versions, settings without secrets, last batches, the redacted log. */
  'app.saveDiagnostics': channel(empty, z.object({ fileName: z.string(), text: z.string() })),
  /** The renderer says whether a dialog is open (an update never installs under one). */
  'app.activity': channel(z.object({ dialogOpen: z.boolean() }).strict(), z.object({})),

  /** Online/offline now (the core's one Connectivity); every change is the `network.status` event. */
  'network.get': channel(empty, z.object({ online: z.boolean() })),

  /** The interface language: the one chosen on this PC, else the system's (`language.set` remembers it). */
  'language.get': channel(empty, LanguageState),
  'language.set': channel(z.object({ language: UiLanguageCode.nullable() }).strict(), LanguageState),

  'settings.get': channel(empty, Settings),
  'settings.setPartnerToken': channel(
    z.object({ token: z.string().trim().min(8).max(500), serverUrl: ServerUrl.optional() }).strict(),
    Settings,
  ),
  'settings.removePartnerToken': channel(empty, Settings),

  'session.get': channel(empty, SessionState),
  'session.signIn': channel(
    z
      .object({
        login: z.string().trim().min(3, 'Enter your phone (+…) or e-mail').max(200),
        password: z.string().min(1, 'Enter your password').max(500),
        serverUrl: ServerUrl.optional(),
      })
      .strict(),
    SessionState,
  ),
  /** After `auth_expired`: the password again, for the current profile. */
  'session.reauthenticate': channel(z.object({ password: z.string().min(1).max(500) }).strict(), SessionState),
  'session.startDemo': channel(empty, SessionState),
  'session.switchProfile': channel(z.object({ profileId: ProfileId }).strict(), SessionState),
  'session.signOut': channel(z.object({ profileId: ProfileId.optional() }).strict(), SessionState),
  'session.selectLocation': channel(z.object({ chainId: Id, locationId: Id }).strict(), SessionState),

  'clients.search': channel(
    z.object({ locationId: Id, query: z.string().trim().min(1).max(100), limit: z.number().int().min(1).max(50).optional() }).strict(),
    z.object({ clients: z.array(ClientSummary), total: z.number().int().nonnegative() }),
  ),
  'memberships.forClient': channel(
    z.object({ locationId: Id, clientId: Id }).strict(),
    z.object({
      client: ClientSummary,
      memberships: z.array(Membership),
      /** True when the client has no phone in Altegio: memberships are looked up by phone, so none could be listed. */
      noPhone: z.boolean().optional(),
    }),
  ),
  'memberships.byPhone': channel(
    // What is a phone is the core's one rule (common/phone.ts), refused as app.not_a_phone.
    z.object({ locationId: Id, phone: z.string().trim().min(1).max(30) }).strict(),
    z.object({ memberships: z.array(Membership) }),
  ),
  'memberships.get': channel(z.object({ chainId: Id, membershipId: Id }).strict(), Membership),
  'memberships.freeze': channel(
    z.object({ chainId: Id, locationId: Id, membershipId: Id, freezeTill: IsoDate, reason: Reason.optional() }).strict(),
    DeskWriteResult,
  ),
  'memberships.setPeriod': channel(
    z.object({ chainId: Id, locationId: Id, membershipId: Id, expiry: IsoDate, reason: Reason.optional() }).strict(),
    DeskWriteResult,
  ),
  'memberships.unfreeze': channel(
    z.object({ chainId: Id, locationId: Id, membershipId: Id, reason: Reason.optional() }).strict(),
    DeskWriteResult,
  ),
  'memberships.setBalance': channel(
    // A BalanceTarget beside the ids and the reason, flat on the wire (`united` or `services`), each
    // field checked on its own (errors name it: `united`, `services.<serviceId>`); the core gets the
    // one BalanceTarget (an empty `services` beside `united` is dropped).
    z
      .object({
        chainId: Id,
        locationId: Id,
        membershipId: Id,
        reason: Reason.min(1, 'Say why the balance changes'),
        united: BalanceCount.optional(),
        services: z.array(ServiceBalance).max(500).optional(),
      })
      .strict()
      .refine((a) => (a.united !== undefined) !== ((a.services?.length ?? 0) > 0), {
        message: 'Give either the united balance or per-service balances, not both',
      })
      .transform(({ united, services, ...at }): typeof at & BalanceTarget => (united !== undefined ? { ...at, united } : { ...at, services: services ?? [] })),
    DeskWriteResult,
  ),

  'audit.list': channel(AuditFilter, z.object({ entries: z.array(AuditEntry) })),
  /**
   * Every CSV export takes `delimiter`: the list separator Excel expects in the interface language
   * (`;` for ru, es, pt-BR; `,` for English — common/i18n/languages.ts csvSeparator); the renderer
   * knows the language in use. Always with a UTF-8 BOM. And `language`: the one in use, which the
   * file's column names and messages are worded in (English when absent).
   */
  'audit.exportCsv': channel(AuditFilter.extend({ delimiter: Delimiter.optional(), language: ContentLanguage.optional() }), z.object({ fileName: z.string(), csv: z.string() })),
  /** `language`: the one in use; without a `reason`, the one kept ("Undo of the freeze made …") is worded in it (English when absent). */
  'audit.undo': channel(z.object({ auditId: z.number().int().positive(), reason: Reason.optional(), language: ContentLanguage.optional() }).strict(), z.object({ membership: Membership, entry: AuditEntry })),

  /**
   * The file's bytes, once: later checks (another encoding, delimiter or mapping) name it by
   * `fileId`. Bytes travel as bytes (a Uint8Array through Electron's structured clone; a binary
   * request body in the web shell), never as base64.
   */
  'batch.open': channel(
    z
      .object({
        fileName: z.string().trim().min(1).max(260),
        bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_BATCH_FILE_BYTES, 'This file is larger than 50 MB.'),
      })
      .strict(),
    z.object({ fileId: FileId, fileName: z.string(), size: z.number().int().nonnegative() }),
  ),
  /**
   * Decode, parse, map, validate and plan an opened file against the current balances (nothing is
   * sent, no batch is created). `lookups: true` agrees to the reads a file by phone needs.
   * `language`: the one in use; rows without a reason get one worded in it (kept in the audit log
   * and the report; English when absent).
   */
  'batch.check': channel(
    z
      .object({
        fileId: FileId,
        chainId: Id,
        locationId: Id,
        encoding: z.string().max(40).optional(),
        delimiter: Delimiter.optional(),
        mapping: ColumnMapping.optional(),
        lookups: z.boolean().optional(),
        language: ContentLanguage.optional(),
      })
      .strict(),
    BatchCheck,
  ),
  /** The file's rows with problems (latest check), as they were plus a "problem" column: a CSV to fix and open again. */
  'batch.fixMe': channel(z.object({ fileId: FileId, delimiter: Delimiter.optional(), language: ContentLanguage.optional() }).strict(), z.object({ fileName: z.string(), csv: z.string() })),
  /** Stops the check under way (its reads stop); it answers with `lookups.state: 'stopped'`. */
  'batch.stopCheck': channel(empty, z.object({ stopped: z.boolean() })),
  /** The rows of a check (before applying) or of a batch. */
  'batch.rows': channel(
    z
      .object({
        checkId: CheckId.optional(),
        batchId: BatchId.optional(),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000),
        onlyProblems: z.boolean().optional(),
      })
      .strict()
      .refine((a) => (a.checkId === undefined) !== (a.batchId === undefined), { message: 'Give a checkId or a batchId' }),
    z.object({ rows: z.array(BatchPlanRow), total: z.number().int() }),
  ),
  /** Creates the batch from a check and starts it. */
  'batch.apply': channel(z.object({ checkId: CheckId }).strict(), BatchSummary),
  'batch.pause': channel(z.object({ batchId: BatchId }).strict(), BatchSummary),
  'batch.resume': channel(z.object({ batchId: BatchId }).strict(), BatchSummary),
  'batch.cancel': channel(z.object({ batchId: BatchId }).strict(), BatchSummary),
  'batch.list': channel(empty, z.object({ batches: z.array(BatchSummary) })),
  'batch.report': channel(z.object({ batchId: BatchId, delimiter: Delimiter.optional(), language: ContentLanguage.optional() }).strict(), z.object({ fileName: z.string(), csv: z.string() })),
  /** `language`: the one in use, that the undo's reasons ("Undo of batch …: <reason>") are worded in (English when absent). */
  'batch.undo': channel(z.object({ batchId: BatchId, language: ContentLanguage.optional() }).strict(), BatchSummary),

  /**
   * Reads every membership of the selection (ids from a worklist, or pasted numbers/ids resolved
   * through the index) and checks it against its type's rules: nothing is sent.
   */
  'bulk.preview': channel(
    z
      .object({
        chainId: Id,
        locationId: Id,
        action: BulkAction,
        ids: z.array(Id).max(MAX_BULK).optional(),
        /** Pasted membership numbers or ids, separated by spaces, commas, semicolons or lines. */
        text: z.string().max(200_000).optional(),
        reason: Reason.optional(),
      })
      .strict()
      .refine((a) => (a.ids === undefined) !== (a.text === undefined), { message: 'Give ids or text' }),
    BulkPreview,
  ),
  /** Creates the job from a preview and starts it; then it is a batch (batch.pause/resume/cancel/report/undo). */
  'bulk.apply': channel(z.object({ previewId: BatchId }).strict(), BatchSummary),

  'index.status': channel(ChainArg, IndexStatus),
  /** Starts (or resumes) the first sync, or refreshes a complete index; answers at once. */
  'index.sync': channel(ChainArg, IndexStatus),
  'index.stop': channel(ChainArg, IndexStatus),
  /** "Forget this chain's data": the index and the clients remembered with it. */
  'index.forget': channel(ChainArg, IndexStatus),
  /** Memberships by number, exact then prefix, across all locations of the chain. */
  'index.find': channel(
    z.object({ chainId: Id, query: z.string().trim().min(1).max(40), limit: z.number().int().min(1).max(50).optional() }).strict(),
    z.object({ matches: z.array(IndexedMembership), status: IndexStatus }),
  ),
  /**
   * "Find the client" of a membership the index holds without one: the client search filtered by
   * its type and expiry, then the candidates' memberships by phone (at most 10) until one holds it;
   * the client found is remembered with it. `refused`: the server took no membership filter.
   */
  'index.findClient': channel(
    z.object({ chainId: Id, locationId: Id, membershipId: Id }).strict(),
    z.object({ client: ClientSummary.nullable(), checked: z.number().int().nonnegative(), more: z.boolean(), refused: z.boolean() }),
  ),
  'index.worklist': channel(
    WorklistQuery.extend({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    z.object({
      rows: z.array(WorklistRow),
      total: z.number().int().nonnegative(),
      counts: z.object({ expiring: z.number().int(), frozen: z.number().int(), low_balance: z.number().int(), not_activated: z.number().int() }),
      types: z.array(z.object({ id: Id, title: z.string(), count: z.number().int() })),
      /** Today at the desk's location, the day "within N days" counts from. */
      today: IsoDate,
      status: IndexStatus,
    }),
  ),
  /** `language`: the one in use, that column names, yes/no, statuses and days are worded in (English when absent). */
  'index.worklistCsv': channel(WorklistQuery.extend({ delimiter: Delimiter.optional(), language: ContentLanguage.optional() }), z.object({ fileName: z.string(), csv: z.string() })),
  'plans.list': channel(z.object({}).strict(), z.object({ plans: z.array(Plan) })),
  'plans.create': channel(PlanInput.extend({ chainId: Id, locationId: Id, membershipId: Id }).strict(), Plan),
  /** A closure for a selection (worklist ids, or pasted numbers/ids resolved through the index): freeze them all from `startDate` until `endDate`. */
  'plans.createClosure': channel(
    z
      .object({
        chainId: Id,
        locationId: Id,
        ids: z.array(Id).min(1).max(MAX_BULK).optional(),
        text: z.string().max(200_000).optional(),
        startDate: IsoDate,
        endDate: IsoDate,
        reason: Reason.optional(),
      })
      .strict()
      .refine((a) => (a.ids === undefined) !== (a.text === undefined), { message: 'Give ids or text' }),
    Plan,
  ),
  'plans.update': channel(PlanInput.extend({ planId: z.number().int().positive() }).strict(), Plan),
  'plans.cancel': channel(z.object({ planId: z.number().int().positive() }).strict(), Plan),
  /** A missed plan, run now for what remains (the person was asked). */
  'plans.runNow': channel(z.object({ planId: z.number().int().positive() }).strict(), Plan),
} as const;



// ---------------------------------------------------------------------------------------------
// Events (core -> renderer)

export const events = {
  'session.changed': SessionState,
  'network.status': z.object({ online: z.boolean() }),
  'batch.progress': z.object({
    batchId: z.string(),
    state: BatchState,
    /** Why it is paused or waiting (a full disk, another user signed in…); null while all is well. */
    message: z.string().nullable().optional(),
    msg: MsgData.nullable().optional(),
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    conflicts: z.number().int(),
    requestsPerMinute: z.number(),
    etaMs: z.number().nullable(),
  }),
  'index.progress': IndexStatus,
  /** A plan was created, changed, cancelled or run (by the scheduler too): lists reload. */
  'plans.changed': z.object({ planId: z.number().int().positive() }),
  /** While a file is checked: requests done of those needed to read the memberships it names. */
  'batch.checkProgress': z.object({
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    etaMs: z.number().nullable(),
  }),
} as const;

// ---------------------------------------------------------------------------------------------
// Inferred types shared by both sides

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelArgs<C extends ChannelName> = z.input<Channels[C]['args']>;
export type ParsedArgs<C extends ChannelName> = z.output<Channels[C]['args']>;
export type ChannelResult<C extends ChannelName> = z.output<Channels[C]['result']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

/** What the renderer sees as `window.desk`, in either shell. */
export interface DeskApi {
  invoke<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<Reply<ChannelResult<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The IPC channel names used by the Electron shell (prefixed so nothing else collides). */
export const IPC_INVOKE = 'desk:invoke';
export const IPC_EVENT = 'desk:event';
