/**
 * Messages by key: catalogs are flat JSON files (`catalogs/<language>.json`, key → ICU
 * MessageFormat text, formatted by ./icu); `keys.gen.ts` (generated from the English catalog) types every key and its
 * parameters, so `tsc` refuses a key that does not exist or parameters that do not fit. The core
 * and the shared rules return a `Msg` (key + parameters); only the renderer puts it into words.
 */
import type { MessageKey, MessageParams } from './keys.gen';
import { formatMessage, formatters, parseMessage, type Message } from './icu';
import { FORMAT_LOCALE, type Language } from './languages';

export type { MessageKey, MessageParams } from './keys.gen';

export type Catalog = Readonly<Record<string, string>>;

type NoParams<K extends MessageKey> = keyof MessageParams[K] extends never ? true : false;

/** The parameters argument of `t(key, …)`: none for a message without parameters. */
export type ParamsArg<K extends MessageKey> = NoParams<K> extends true ? [params?: undefined] : [params: MessageParams[K]];

/**
 * A message by reference: a key and its parameters, put into words where it is shown. Built by
 * `msg()`, which checks the parameters against the key like `t()`. (Not a union over every key:
 * TypeScript gives up on unions of about a thousand object types — TS2590 — and the catalogs have
 * more keys than that.)
 */
export interface Msg {
  readonly key: MessageKey;
  readonly params?: Readonly<Record<string, string | number | Msg>> | undefined;
}

/** Builds a `Msg`, checked like `t()`. */
export function msg<K extends MessageKey>(key: K, ...params: ParamsArg<K>): Msg {
  return (params[0] === undefined ? { key } : { key, params: params[0] }) as Msg;
}

export function isMsg(value: unknown): value is Msg {
  return typeof value === 'object' && value !== null && typeof (value as { key?: unknown }).key === 'string';
}

export type Translate = <K extends MessageKey>(key: K, ...params: ParamsArg<K>) => string;

/**
 * A translator for one language: a key missing from `catalog` falls back to `fallback` (English),
 * then to the key itself, so a gap shows as text rather than a crash (the catalog test fails on
 * every gap before it can ship).
 */
export function createTranslator(language: Language, catalog: Catalog, fallback: Catalog = catalog): Translate {
  const cache = new Map<string, Message>();
  const f = formatters(FORMAT_LOCALE[language]);
  const translate = ((key: string, params?: Record<string, unknown>) => {
    let message = cache.get(key);
    if (!message) {
      message = parseMessage(catalog[key] ?? fallback[key] ?? key);
      cache.set(key, message);
    }
    // A message inside a message (its days as they are: wordMsg words those first).
    const words = params && Object.fromEntries(Object.entries(params).map(([name, value]) => [name, isMsg(value) ? translate(value.key as MessageKey, value.params as never) : value]));
    return formatMessage(message, words ?? {}, f);
  }) as Translate;
  return translate;
}
