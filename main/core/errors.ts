/**
 * The one error taxonomy of the core. Anything thrown inside a handler becomes a `DeskError`
 * (kind, a stable `code`, its `origin`, a plain-language message) at the contract boundary;
 * nothing else crosses it. Code decides by `kind` and `code`, never by the message.
 *
 * The app's own failures carry their message by reference (`msg`, a catalog key and parameters):
 * the renderer words it in the language in use; `message` is its English (`inEnglish`), for logs.
 */
import type { DeskError, ErrorKind, ErrorOrigin, MsgData } from '../../preload/contract';
import { isMsg, msg, type Msg } from '../../common/i18n/translate';
import { inEnglish } from '../../common/i18n/words';
import { storedText } from '../../common/i18n/stored';

export interface FailureOptions {
  /** Field -> what is wrong: English text, or a message by reference (worded by the renderer). */
  fields?: Record<string, string | Msg>;
  retryAfterMs?: number;
  serverMessage?: string | undefined;
  /** The message is Altegio's own words. */
  messageIsServers?: boolean;
  cause?: unknown;
  /** Default: the kind (`validation`, `not_found`…). */
  code?: string;
  /** Default: `network` for offline, else `app`. */
  origin?: ErrorOrigin;
}

export class DeskFailure extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly origin: ErrorOrigin;
  readonly messageIsServers: boolean;
  readonly fields: Record<string, string> | undefined;
  /** The message by reference, when the app has words for it (Altegio's own words have none). */
  readonly msg: Msg | undefined;
  readonly fieldMsgs: Record<string, Msg> | undefined;
  readonly retryAfterMs: number | undefined;
  /** What Altegio said, word for word (cleaned of secrets): kept beside the app's explanation. */
  readonly serverMessage: string | undefined;

  /** `message`: a `Msg` (its English becomes the Error's message), or text with no words yet (Altegio's, or internal). */
  constructor(kind: ErrorKind, message: string | Msg, options: FailureOptions = {}) {
    super(typeof message === 'string' ? message : inEnglish(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.msg = typeof message === 'string' ? undefined : message;
    this.name = 'DeskFailure';
    this.kind = kind;
    this.code = options.code ?? kind;
    this.origin = options.origin ?? (kind === 'offline' ? 'network' : 'app');
    this.messageIsServers = options.messageIsServers ?? false;
    const fields = Object.entries(options.fields ?? {});
    this.fields = options.fields && Object.fromEntries(fields.map(([k, v]) => [k, typeof v === 'string' ? v : inEnglish(v)]));
    const coded = fields.filter((e): e is [string, Msg] => isMsg(e[1]));
    this.fieldMsgs = coded.length > 0 ? Object.fromEntries(coded) : undefined;
    this.retryAfterMs = options.retryAfterMs;
    this.serverMessage = options.serverMessage;
  }

  toData(): DeskError {
    const data: DeskError = { kind: this.kind, code: this.code, origin: this.origin, message: this.message };
    if (this.msg) data.msg = this.msg as MsgData;
    if (this.messageIsServers) data.messageIsServers = true;
    if (this.fields && Object.keys(this.fields).length > 0) data.fields = this.fields;
    if (this.fieldMsgs) data.fieldMsgs = this.fieldMsgs as Record<string, MsgData>;
    if (this.retryAfterMs !== undefined) data.retryAfterMs = Math.max(0, Math.round(this.retryAfterMs));
    if (this.serverMessage !== undefined) data.serverMessage = this.serverMessage;
    return data;
  }
}

/** What a text column keeps for a failure (common/i18n/stored.ts): its message by reference, else its words. */
export function storedOf(e: DeskFailure): string {
  return e.msg ? storedText(e.msg) : e.message;
}

/** The failure's message, followed by Altegio's own words when they say something else (audit, reports). */
export function withServerWords(e: DeskFailure): string {
  const said = e.serverMessage;
  return said && !e.messageIsServers ? `${e.message} Altegio said: "${said}"` : e.message;
}

/** withServerWords by reference, for what is stored (the audit log): the app's message and Altegio's words; text when the app has no words for it. */
export function serverWordsMessage(e: DeskFailure): Msg | string {
  const said = e.serverMessage;
  if (!e.msg) return withServerWords(e);
  return said && !e.messageIsServers ? msg('audit.message.withServer', { why: e.msg, said: msg('error.serverSaid', { words: said }) }) : e.msg;
}

export function isDeskFailure(e: unknown): e is DeskFailure {
  return e instanceof DeskFailure;
}

const INTERNAL = msg('error.app.internal');

/**
 * Converts anything thrown to contract data. Unknown errors become `server` with a generic
 * message: their text may contain internals (paths, headers), so it never reaches the page.
 */
export function toDeskError(e: unknown): DeskError {
  if (isDeskFailure(e)) return e.toData();
  return { kind: 'server', code: 'app.internal', origin: 'app', message: 'Something went wrong inside the app. Try again; if it keeps happening, restart the app.', msg: INTERNAL as MsgData };
}
