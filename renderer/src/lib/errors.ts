/**
 * Turns a contract error into words a front-desk person understands. The heading says what it
 * means for the person at the desk, by kind and by origin (the app's own refusal is never called
 * Altegio's; the window losing the app is not "no internet"); the detail is the core's message by
 * reference (`msg`) in the language in use, or Altegio's own words, or the catalog's words for the
 * error's stable `code`, or (codes without words yet) the core's English message. Nothing here looks
 * at the message's text to decide anything.
 */
import type { MessageKey } from '../../../common/i18n/translate';
import type { DeskError, ErrorKind, ErrorOrigin, FieldIssue } from '../../../preload/contract';
import { says } from './format';
import { t } from './i18n';


const headings: Record<ErrorKind, MessageKey> = {
  auth_expired: 'error.auth_expired',
  forbidden: 'error.forbidden',
  not_found: 'error.not_found',
  validation: 'error.validation',
  rate_limited: 'error.rate_limited',
  offline: 'error.offline',
  server: 'error.server',
  licence_expired: 'error.licence_expired',
  conflict: 'error.conflict',
  keychain_unavailable: 'error.keychain_unavailable',
  bad_input: 'error.bad_input',
  storage: 'error.storage',
};

/** Headings that differ when the failure is the app's own (or its local service's), not Altegio's. */
function headingKey(kind: ErrorKind, origin: ErrorOrigin): MessageKey {
  if (origin === 'shell') return 'error.shell';
  if (origin === 'app' && kind === 'validation') return 'error.validation.app';
  if (origin === 'app' && kind === 'server') return 'error.server.app';
  return headings[kind] ?? headings.server;
}

export function errorHeading(kind: ErrorKind, origin: ErrorOrigin = 'altegio'): string {
  return t(headingKey(kind, origin));
}

/** The catalog's words for failures by their stable code (the core's codes in altegio/failures.ts). */
export const CODE_WORDS: Readonly<Record<string, MessageKey>> = {
  'app.partner_token_missing': 'error.code.partnerTokenMissing',
  'app.not_signed_in': 'error.code.notSignedIn',
  'altegio.partner_token_refused': 'error.code.partnerTokenRefused',
  'altegio.wrong_credentials': 'error.code.wrongCredentials',
  'altegio.auth_not_found': 'error.code.authNotFound',
  'altegio.forbidden': 'error.code.forbidden',
  'altegio.not_found': 'error.code.notFound',
  'altegio.unreadable': 'error.code.unreadable',
  'altegio.validation': 'error.code.checkValues',
  'app.check_fields': 'error.code.checkValues',
  'app.server_url.not_url': 'signin.serverInvalid',
  'app.server_url.not_https': 'signin.server.notHttps',
  'app.server_url.credentials': 'signin.server.credentials',
  'app.server_url.query': 'signin.server.query',
};

/** Codes whose heading says everything: no detail under it. */
const HEADING_ONLY: ReadonlySet<string> = new Set(['altegio.auth_expired', 'altegio.licence_expired', 'altegio.conflict', 'altegio.rate_limited', 'altegio.server', 'network.offline']);

/** Seconds, minutes... in words: "in about 30 seconds". */
export function retryInWords(ms: number): string {
  if (ms <= 1500) return t('error.retry.second');
  const s = Math.round(ms / 1000);
  if (s < 60) return t('error.retry.seconds', { count: s });
  return t('error.retry.minutes', { count: Math.round(s / 60) });
}

export interface ErrorText {
  heading: string;
  /** The core's specific message, when it adds something to the heading. */
  detail: string | null;
  /** Altegio's own words, when they add something (support asks for them). */
  serverWords: string | null;
  fields: Record<string, string>;
}

/** How Altegio's own words are put beside the app's explanation. */
export const serverWordsText = (words: string): string => t('error.serverSaid', { words });

/** What the argument check found in one field, in the catalog's words (never the schema's English). */
export function fieldIssueText(issue: FieldIssue): string {
  const limit = issue.limit ?? 0;
  switch (issue.code) {
    case 'too_long':
      return t('field.tooLong', { limit });
    case 'too_short':
      return t('field.tooShort', { limit });
    case 'too_big':
      return t('field.tooBig', { limit });
    case 'too_small':
      return t('field.tooSmall', { limit });
    case 'required':
      return t('field.required');
    default:
      return t('field.invalid');
  }
}

/** Every field's message: a coded issue in the catalog's words, a message by reference, otherwise the core's text. */
export function fieldTexts(error: DeskError | null | undefined): Record<string, string> {
  const out: Record<string, string> = { ...(error?.fields ?? {}) };
  for (const [field, m] of Object.entries(error?.fieldMsgs ?? {})) out[field] = says(m);
  for (const [field, issue] of Object.entries(error?.fieldIssues ?? {})) out[field] = fieldIssueText(issue);
  return out;
}

/**
 * The detail under the heading: coded words, Altegio's own words, words by code (they complete the
 * heading; the core's message for those codes is the whole sentence, for logs, reports and the
 * audit), none when the heading says it all, the core's message by reference, or the core's English.
 */
function detailOf(error: DeskError): string | null {
  const issues = Object.values(error.fieldIssues ?? {});
  // A coded argument problem: its words come from the catalog, not from the schema.
  if (issues[0]) return fieldIssueText(issues[0]);
  if (error.messageIsServers) return error.message.trim() || null;
  const key = CODE_WORDS[error.code];
  if (key) return t(key);
  if (HEADING_ONLY.has(error.code)) return null;
  if (error.msg) return says(error.msg);
  return error.message?.trim() || null;
}

export function describeError(error: DeskError): ErrorText {
  let heading = errorHeading(error.kind, error.origin);
  if (error.kind === 'rate_limited' && error.retryAfterMs !== undefined) {
    heading = t('error.rate_limited.retry', { when: retryInWords(error.retryAfterMs) });
  }
  const detail = detailOf(error);
  const said = error.serverMessage?.trim() ?? '';
  // Altegio's words beside the app's explanation, unless the detail already is them.
  const serverWords = said && !error.messageIsServers ? serverWordsText(said) : null;
  return { heading, detail: detail === heading ? null : detail, serverWords, fields: fieldTexts(error) };
}

/** One line for places with little room (a status line, a table cell). */
export function errorLine(error: DeskError): string {
  const { heading, detail, serverWords } = describeError(error);
  return [heading, detail, serverWords].filter((text) => text !== null).join(' ');
}

/**
 * The message for one field: field keys come from the channel's argument names; nested keys like
 * `services.0.balance` are matched by their prefix so a row can pick its own.
 */
export function fieldError(error: DeskError | null | undefined, field: string): string | null {
  if (!error?.fields && !error?.fieldIssues && !error?.fieldMsgs) return null;
  const fields = fieldTexts(error);
  if (fields[field] !== undefined) return fields[field] ?? null;
  const found = Object.entries(fields).find(([k]) => k === field || k.startsWith(`${field}.`));
  return found ? found[1] : null;
}

/**
 * The error for a dialog's general box: null when everything it says about fields is shown beside
 * the dialog's own `fields` (matched as `fieldError` does), else the error — it has no field
 * messages, or some about no field of the dialog (`_`: Altegio's words about no field of ours).
 */
export function unplacedError(error: DeskError | null | undefined, fields: readonly string[]): DeskError | null {
  if (!error) return null;
  const keys = Object.keys(fieldTexts(error));
  const placed = (k: string) => fields.some((f) => k === f || k.startsWith(`${f}.`));
  return keys.length > 0 && keys.every(placed) ? null : error;
}
