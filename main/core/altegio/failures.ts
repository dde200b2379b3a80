/**
 * HTTP answers and transport errors → DeskFailure, with messages a front-desk person understands.
 *
 * | situation                                   | kind             | message (unless the server's own is more specific) |
 * |---------------------------------------------|------------------|-----------------------------------------------------|
 * | no partner token configured (no request)    | forbidden        | PARTNER_TOKEN_MISSING                               |
 * | no user token on a business call (no req.)  | auth_expired     | NOT_SIGNED_IN                                       |
 * | 401 on a business call                      | auth_expired     | AUTH_EXPIRED                                        |
 * | 401/403 whose text blames the partner token | forbidden        | PARTNER_TOKEN_REFUSED                               |
 * | (or error_code 20) — on /auth or elsewhere  |                  |                                                     |
 * | 400/401/403/422 on /auth                    | validation       | WRONG_CREDENTIALS (server text if specific)         |
 * | 404 on /auth                                | not_found        | AUTH_NOT_FOUND (wrong server address)               |
 * | 402, or 403 whose text says to renew the    | licence_expired  | LICENCE_EXPIRED                                     |
 * | licence ("Необходимо продлить лицензию")    |                  |                                                     |
 * | 403                                         | forbidden        | FORBIDDEN                                           |
 * | 404                                         | not_found        | NOT_FOUND                                           |
 * | 400/422 (and 2xx with success:false)        | validation       | server text + words about no field of ours / first field error; `fields` below |
 * | 409                                         | conflict         | CONFLICT                                            |
 * | 429                                         | rate_limited     | RATE_LIMITED, `retryAfterMs` from Retry-After       |
 * | 5xx, other unexpected status                | server           | SERVER                                              |
 * | 2xx/any with HTML or unparsable body        | server           | UNREADABLE_MESSAGE                                  |
 * | network error, refused, reset, timeout, 408 | offline          | OFFLINE                                             |
 *
 * Every failure from an answer keeps the server's own text (cleaned) in `serverMessage`, whatever
 * the message says: it is what Altegio support asks for.
 *
 * Field errors (`meta.errors`, keys cleaned by `cleanFieldKey`) are put under the contract's field
 * keys by the request's own map (field-keys.ts: `services_balance_count.0.balance` →
 * `services.<serviceId sent first>`, `freeze_till` → `freezeTill`…). Words about a key the map does
 * not know join the general message (after the server's own text, one per line) and are listed
 * under `_`, so a dialog shows them in its general box: never dropped, never beside a wrong field.
 *
 * "More specific" = the server's `meta.message` is present, readable and not one of the generic
 * phrases ("An error occurred", "Access denied.", "Authentication needed." …). Every server text
 * is cleaned: known secrets (tokens, password) and `Bearer …`/`User …` are removed, markup and
 * control characters dropped, length capped.
 */
import type { ErrorKind } from '../../../preload/contract';
import { msg, type Msg } from '../../../common/i18n/translate';
import { DeskFailure, type FailureOptions } from '../errors';
import { GENERAL_FIELD, placeFields, type FieldKeyMap } from './field-keys';
import { UNREADABLE, parseErrorInfo } from './wire';

/** The app's words for each failure an answer stands for, by reference (the renderer words them). */
export const MESSAGES = {
  PARTNER_TOKEN_MISSING: msg('error.code.partnerTokenMissing'),
  PARTNER_TOKEN_REFUSED: msg('error.code.partnerTokenRefused'),
  NOT_SIGNED_IN: msg('error.code.notSignedIn'),
  AUTH_EXPIRED: msg('error.code.authExpired'),
  WRONG_CREDENTIALS: msg('error.code.wrongCredentials'),
  AUTH_NOT_FOUND: msg('error.code.authNotFound'),
  LICENCE_EXPIRED: msg('error.code.licenceExpired'),
  FORBIDDEN: msg('error.code.noRight'),
  NOT_FOUND: msg('error.code.notFound'),
  VALIDATION: msg('error.code.notAccepted'),
  CONFLICT: msg('error.code.conflict'),
  RATE_LIMITED: msg('error.code.rateLimited'),
  SERVER: msg('error.code.server'),
  UNREADABLE: UNREADABLE,
  OFFLINE: msg('error.code.offline'),
} as const satisfies Record<string, Msg>;

const GENERIC = /^(an? error( has)? occurred|error|unknown error|authentication needed|access denied|forbidden|not found|unauthorized|unauthenticated|bad request|validation failed|the given data was invalid|internal server error|server error|too many requests)[.!]?$/i;
const PARTNER_HINT = /partner|api[\s_-]?key|bearer|developer token|application token/i;
/** A 403 that is about the licence, not about the user's rights. */
const LICENCE_HINT = /продл\S*\s+(\S+\s+)?лицензи|лицензи\S*\s+(\S+\s+)?(истек|истёк|законч)|renew\S*\s+(\S+\s+)?licen[cs]e|licen[cs]e\s+(\S+\s+)?expired/i;

/** 403s that mean "this user lacks the right" (not the partner token, not the licence). */
const rightRefusals = new WeakSet<DeskFailure>();
export function isRightRefusal(e: unknown): e is DeskFailure {
  return e instanceof DeskFailure && rightRefusals.has(e);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes secrets and noise from a server-provided text; undefined if nothing useful remains. */
export function cleanServerText(text: string | undefined, secrets: ReadonlyArray<string | null | undefined>): string | undefined {
  if (!text) return undefined;
  let t = text;
  for (const s of secrets) {
    if (s && s.length >= 4) t = t.replace(new RegExp(escapeRegExp(s), 'g'), '[hidden]');
  }
  t = t
    .replace(/(Bearer|User)\s+[^\s,]+/gi, '$1 [hidden]')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return undefined;
  if (t.length > 300) t = t.slice(0, 297) + '…';
  return t;
}

function specific(text: string | undefined): string | undefined {
  return text && !GENERIC.test(text) ? text : undefined;
}

/** Retry-After: delay-seconds or an HTTP date → ms (capped at 10 minutes); undefined if absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isFinite(at)) ms = Math.max(0, at - nowMs);
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return Math.min(Math.round(ms), 600_000);
}

export interface HttpFailureContext {
  /** True for POST /auth. */
  isAuth: boolean;
  retryAfterMs?: number | undefined;
  secrets: ReadonlyArray<string | null | undefined>;
  /** The request's map from Altegio's field keys to the contract's (none: every field error is general). */
  fieldKeys?: FieldKeyMap | undefined;
}

type MessageName = keyof typeof MESSAGES;

/** The code of a failure an Altegio answer (or the lack of one) stands for. */
export const failureCode = (name: MessageName): string => `${name === 'OFFLINE' ? 'network' : 'altegio'}.${name.toLowerCase()}`;

/** A failure Altegio's answer stands for: its own words when they are specific, else the app's. */
export function answered(kind: ErrorKind, name: MessageName, own: string | undefined, options: FailureOptions = {}): DeskFailure {
  const coded = { ...options, code: failureCode(name), origin: 'altegio' } as const;
  return own === undefined ? new DeskFailure(kind, MESSAGES[name], coded) : DeskFailure.fromServer(kind, own, coded);
}

export function failureFromHttp(status: number, body: unknown, ctx: HttpFailureContext): DeskFailure {
  const info = parseErrorInfo(body);
  const serverText = cleanServerText(info.message, ctx.secrets);
  const byAltegioKey: Record<string, string> = {};
  for (const [k, v] of Object.entries(info.fields)) {
    const key = cleanServerText(k, ctx.secrets);
    const val = cleanServerText(v, ctx.secrets);
    if (key && val) byAltegioKey[key] = val;
  }
  const placed = placeFields(byAltegioKey, ctx.fieldKeys);
  const general = placed.general.filter((words) => words !== serverText);
  const fields = general.length > 0 ? { ...placed.fields, [GENERAL_FIELD]: general.join('\n') } : placed.fields;
  const hasFields = Object.keys(fields).length > 0;
  // The server's own text and its words about no field of ours: the general message.
  const own = [specific(serverText), ...general].filter((t) => t !== undefined).join('\n') || undefined;
  const partnerRefused = (status === 401 || status === 403) && (info.errorCode === 20 || (serverText !== undefined && PARTNER_HINT.test(serverText)));

  const said = serverText === undefined ? {} : { serverMessage: serverText };
  const withFields = hasFields ? { serverFields: fields, ...said } : said;

  if (status === 429) {
    return answered('rate_limited', 'RATE_LIMITED', undefined, ctx.retryAfterMs === undefined ? said : { retryAfterMs: ctx.retryAfterMs, ...said });
  }
  if (partnerRefused) return answered('forbidden', 'PARTNER_TOKEN_REFUSED', undefined, said);
  if (status === 402 || (status === 403 && serverText !== undefined && LICENCE_HINT.test(serverText))) {
    return answered('licence_expired', 'LICENCE_EXPIRED', undefined, said);
  }
  if (ctx.isAuth) {
    if (status === 400 || status === 401 || status === 403 || status === 422) return answered('validation', 'WRONG_CREDENTIALS', own, withFields);
    if (status === 404) return answered('not_found', 'AUTH_NOT_FOUND', undefined, said);
  }
  if (status === 401) return answered('auth_expired', 'AUTH_EXPIRED', undefined, said);
  if (status === 403) {
    const refusal = answered('forbidden', 'FORBIDDEN', own, said);
    rightRefusals.add(refusal);
    return refusal;
  }
  if (status === 404) return answered('not_found', 'NOT_FOUND', own, said);
  if (status === 409) return answered('conflict', 'CONFLICT', own, said);
  if (status === 408) return offlineFailure();
  if (status === 400 || status === 422 || (status >= 200 && status < 300)) return answered('validation', 'VALIDATION', own ?? Object.values(placed.fields)[0], withFields);
  return answered('server', 'SERVER', undefined, said);
}

/** No `cause` attached on purpose: transport errors carry the request (and its Authorization header). */
export function offlineFailure(): DeskFailure {
  return new DeskFailure('offline', MESSAGES.OFFLINE, { code: failureCode('OFFLINE'), origin: 'network' });
}

/** Refused before any request: the app has no partner token or no sign-in to send. */
export function notConfigured(name: 'PARTNER_TOKEN_MISSING' | 'NOT_SIGNED_IN'): DeskFailure {
  return new DeskFailure(name === 'NOT_SIGNED_IN' ? 'auth_expired' : 'forbidden', MESSAGES[name], { code: `app.${name.toLowerCase()}` });
}
