/**
 * The one error taxonomy of the core. Anything thrown inside a handler becomes a `DeskError`
 * (kind + plain-language message) at the contract boundary; nothing else crosses it.
 */
import type { DeskError, ErrorKind } from '../../preload/contract';

export class DeskFailure extends Error {
  readonly kind: ErrorKind;
  readonly fields: Record<string, string> | undefined;
  readonly retryAfterMs: number | undefined;
  /** What Altegio said, word for word (cleaned of secrets): kept beside the app's explanation. */
  readonly serverMessage: string | undefined;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { fields?: Record<string, string>; retryAfterMs?: number; serverMessage?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeskFailure';
    this.kind = kind;
    this.fields = options.fields;
    this.retryAfterMs = options.retryAfterMs;
    this.serverMessage = options.serverMessage;
  }

  toData(): DeskError {
    const data: DeskError = { kind: this.kind, message: this.message };
    if (this.fields && Object.keys(this.fields).length > 0) data.fields = this.fields;
    if (this.retryAfterMs !== undefined) data.retryAfterMs = Math.max(0, Math.round(this.retryAfterMs));
    if (this.serverMessage !== undefined) data.serverMessage = this.serverMessage;
    return data;
  }
}

/** The failure's message, followed by Altegio's own words when they say something else (audit, reports). */
export function withServerWords(e: DeskFailure): string {
  const said = e.serverMessage;
  return said && !e.message.includes(said) ? `${e.message} Altegio said: "${said}"` : e.message;
}

export function isDeskFailure(e: unknown): e is DeskFailure {
  return e instanceof DeskFailure;
}

/**
 * Converts anything thrown to contract data. Unknown errors become `server` with a generic
 * message: their text may contain internals (paths, headers), so it never reaches the page.
 */
export function toDeskError(e: unknown): DeskError {
  if (isDeskFailure(e)) return e.toData();
  return { kind: 'server', message: 'Something went wrong inside the app. Try again; if it keeps happening, restart the app.' };
}
