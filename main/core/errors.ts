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
  /** Field -> what is wrong, by reference (worded by the renderer). */
  fields?: Record<string, Msg>;
  /** Field -> Altegio's own words about it (its `meta.errors`), kept as Altegio said them. */
  serverFields?: Record<string, string>;
  retryAfterMs?: number;
  serverMessage?: string | undefined;
  cause?: unknown;
  /**
   * Default: the message's catalog key (`error.app.planGone`, `batch.file.noRows`), so two failures
   * that say different things never share a code; for Altegio's own words, `<origin>.<kind>`
   * (`altegio.validation`), as failureFromHttp names its answers.
   */
  code?: string;
  /** Default: `network` for offline, else `app`. */
  origin?: ErrorOrigin;
}

/** Altegio's own words as a failure's message: made only by `DeskFailure.fromServer` (the private field makes the type nominal). */
class ServerWords {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  get text(): string {
    return this.#text;
  }
}

/**
 * A failure the core can show a person. Its message is a `Msg` (a catalog key and parameters, so it
 * is worded in every language); the only text accepted is Altegio's own words, through
 * `DeskFailure.fromServer`. A check that only a bug can fail (no person should ever see it) throws
 * a plain `Error` instead: `toDeskError` shows it as the catalogued `app.internal`, and the log
 * keeps its text.
 */
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

  /** `message`: the app's words by reference; its English becomes the Error's message (logs). */
  constructor(kind: ErrorKind, message: Msg | ServerWords, options: FailureOptions = {}) {
    const own = message instanceof ServerWords;
    // Typed away, checked anyway: a sentence slipped in through a cast would reach the page in English.
    const coded = Object.entries(options.fields ?? {});
    if ((!own && !isMsg(message)) || !coded.every(([, v]) => isMsg(v))) {
      throw new TypeError("DeskFailure needs messages by reference (msg(key, params)) or Altegio's words (DeskFailure.fromServer, serverFields)");
    }
    super(own ? message.text : inEnglish(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.msg = own ? undefined : message;
    this.name = 'DeskFailure';
    this.kind = kind;
    this.origin = options.origin ?? (kind === 'offline' ? 'network' : 'app');
    this.code = options.code ?? (own ? `${this.origin}.${kind}` : message.key);
    this.messageIsServers = own;
    const fields = { ...options.serverFields, ...Object.fromEntries(coded.map(([k, v]) => [k, inEnglish(v)])) };
    this.fields = options.fields || options.serverFields ? fields : undefined;
    this.fieldMsgs = coded.length > 0 ? Object.fromEntries(coded) : undefined;
    this.retryAfterMs = options.retryAfterMs;
    this.serverMessage = options.serverMessage;
  }

  /** A failure whose message is Altegio's own words (specific, cleaned of secrets): shown as Altegio said it. */
  static fromServer(kind: ErrorKind, words: string, options: FailureOptions = {}): DeskFailure {
    return new DeskFailure(kind, new ServerWords(words), { origin: 'altegio', ...options });
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

/** Anything thrown, as a failure: an unknown error is the app's internal one (its text, maybe internals, stays in `cause`). */
export function asDeskFailure(e: unknown): DeskFailure {
  return isDeskFailure(e) ? e : new DeskFailure('server', INTERNAL, { code: 'app.internal', cause: e });
}

/**
 * Converts anything thrown to contract data. Unknown errors become `server` with a generic
 * message: their text may contain internals (paths, headers), so it never reaches the page.
 */
export function toDeskError(e: unknown): DeskError {
  if (isDeskFailure(e)) return e.toData();
  return { kind: 'server', code: 'app.internal', origin: 'app', message: 'Something went wrong inside the app. Try again; if it keeps happening, restart the app.', msg: INTERNAL as MsgData };
}
