/**
 * Turns a contract error into words a front-desk person understands. The core's own message is
 * already in plain language and says what happened; the heading per kind says what it means for
 * the person at the desk and what to do next.
 */
import type { MessageKey } from '../../../common/i18n/translate';
import type { DeskError, ErrorKind, FieldIssue } from '../../../preload/contract';
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

export function errorHeading(kind: ErrorKind): string {
  return t(headings[kind] ?? headings.server);
}

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

/** Every field's message: a coded issue in the catalog's words, otherwise the core's text. */
export function fieldTexts(error: DeskError | null | undefined): Record<string, string> {
  const out: Record<string, string> = { ...(error?.fields ?? {}) };
  for (const [field, issue] of Object.entries(error?.fieldIssues ?? {})) out[field] = fieldIssueText(issue);
  return out;
}

export function describeError(error: DeskError): ErrorText {
  let heading = errorHeading(error.kind);
  if (error.kind === 'rate_limited' && error.retryAfterMs !== undefined) {
    heading = t('error.rate_limited.retry', { when: retryInWords(error.retryAfterMs) });
  }
  const issues = Object.values(error.fieldIssues ?? {});
  // A coded argument problem: its words come from the catalog, not from the schema.
  const message = issues[0] ? fieldIssueText(issues[0]) : (error.message?.trim() ?? '');
  const detail = message && message !== heading ? message : null;
  const said = error.serverMessage?.trim() ?? '';
  const serverWords = said && !message.includes(said) && !heading.includes(said) ? serverWordsText(said) : null;
  return { heading, detail, serverWords, fields: fieldTexts(error) };
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
  if (!error?.fields && !error?.fieldIssues) return null;
  const fields = fieldTexts(error);
  if (fields[field] !== undefined) return fields[field] ?? null;
  const found = Object.entries(fields).find(([k]) => k === field || k.startsWith(`${field}.`));
  return found ? found[1] : null;
}
