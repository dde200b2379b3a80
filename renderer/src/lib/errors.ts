/**
 * Turns a contract error into words a front-desk person understands. The core's own message is
 * already in plain language and says what happened; the heading per kind says what it means for
 * the person at the desk and what to do next.
 */
import type { DeskError, ErrorKind } from '../../../preload/contract';

const headings: Record<ErrorKind, string> = {
  auth_expired: 'Your sign-in has expired. Enter your password to continue.',
  forbidden: 'Your Altegio account is not allowed to do this.',
  not_found: 'We could not find it. It may have been removed or moved to another location.',
  validation: 'Altegio did not accept this.',
  rate_limited: 'Altegio is busy with too many requests right now.',
  offline: 'No connection to Altegio. Check the internet connection and try again.',
  server: 'Altegio had a problem answering. Try again in a moment.',
  licence_expired: "This location's Altegio licence has expired. Ask the owner to renew it.",
  conflict: 'Someone changed this in the meantime. Look at the current values and try again.',
  keychain_unavailable: "The computer's password store (keychain) is not available, so sign-in details cannot be kept safely.",
  bad_input: 'Some of what was entered is not right. Check the highlighted fields.',
  storage: 'The app could not save its records on this computer. Nothing was lost.',
};

export function errorHeading(kind: ErrorKind): string {
  return headings[kind] ?? headings.server;
}

/** Seconds, minutes... in words: "in about 30 seconds". */
export function retryInWords(ms: number): string {
  if (ms <= 1500) return 'in a second';
  const s = Math.round(ms / 1000);
  if (s < 60) return `in about ${s} seconds`;
  const m = Math.round(s / 60);
  return m === 1 ? 'in about a minute' : `in about ${m} minutes`;
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
export const serverWordsText = (words: string): string => `Altegio said: "${words}"`;

export function describeError(error: DeskError): ErrorText {
  let heading = errorHeading(error.kind);
  if (error.kind === 'rate_limited' && error.retryAfterMs !== undefined) {
    heading = `Altegio is busy with too many requests right now. Try again ${retryInWords(error.retryAfterMs)}.`;
  }
  const message = error.message?.trim() ?? '';
  const detail = message && message !== heading ? message : null;
  const said = error.serverMessage?.trim() ?? '';
  const serverWords = said && !message.includes(said) && !heading.includes(said) ? serverWordsText(said) : null;
  return { heading, detail, serverWords, fields: { ...(error.fields ?? {}) } };
}

/** One line for places with little room (a status line, a table cell). */
export function errorLine(error: DeskError): string {
  const { heading, detail, serverWords } = describeError(error);
  return [heading, detail, serverWords].filter((t) => t !== null).join(' ');
}

/**
 * The message for one field: field keys come from the channel's argument names; nested keys like
 * `services.0.balance` are matched by their prefix so a row can pick its own.
 */
export function fieldError(error: DeskError | null | undefined, field: string): string | null {
  if (!error?.fields) return null;
  if (error.fields[field] !== undefined) return error.fields[field] ?? null;
  const found = Object.entries(error.fields).find(([k]) => k === field || k.startsWith(`${field}.`));
  return found ? found[1] : null;
}
