/**
 * Lenient zod schemas for what Altegio sends (ALTEGIO.md §1.3 and the sections cited below).
 *
 * The API is loose with types: ids and numbers come as numbers or strings, flags as 0/1, "0"/"1",
 * true/false or "true"/"false", `meta` as an object or `[]`, `success` as true or "true". Every
 * field below is optional and falls back to `undefined` when it has an unexpected type, so one odd
 * field never throws the whole answer away; `mapping.ts` decides what is required. Unknown fields
 * are ignored. A response whose *shape* is unusable (not JSON, `data` not a list where a list is
 * expected, …) becomes `unreadable()`: DeskFailure('server', UNREADABLE).
 */
import { z } from 'zod';
import { msg } from '../../../common/i18n/translate';
import { DeskFailure } from '../errors';

export const UNREADABLE = msg('error.code.unreadable');

export function unreadable(cause?: unknown): DeskFailure {
  return new DeskFailure('server', UNREADABLE, { code: 'altegio.unreadable', origin: 'altegio', ...(cause !== undefined && { cause }) });
}

/** Makes a field optional and tolerant: a wrong type reads as "missing". */
const opt = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const numericString = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?$/);

/** A positive safe integer id, from a number or a numeric string. */
export const WireId = z
  .union([z.number(), numericString])
  .transform(Number)
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

/** Any finite number, from a number or a numeric string. */
export const WireNum = z.union([z.number(), numericString]).transform(Number).pipe(z.number().finite());

/** 0/1, "0"/"1", true/false, "true"/"false" (anything else reads as missing). */
export const WireFlag = z.union([z.boolean(), z.number(), z.string()]).transform((v, ctx) => {
  if (v === true || v === 1 || v === '1' || v === 'true') return true;
  if (v === false || v === 0 || v === '0' || v === 'false' || v === '') return false;
  ctx.addIssue({ code: 'custom', message: 'not a flag' });
  return z.NEVER;
});

/** Text, also accepting numbers (doc examples show `type.title` and `number` as numbers). */
export const WireText = z.union([z.string(), z.number().transform(String)]);

// ---------------------------------------------------------------------------------------------
// Envelope (§1.3)

export const WireMeta = z.object({
  message: opt(WireText),
  errors: opt(z.unknown()),
  count: opt(WireNum),
  total_count: opt(WireNum),
});
export type WireMeta = z.infer<typeof WireMeta>;

export interface Envelope {
  /** `success` as sent (true/"true"/1 → true), undefined when absent. */
  success: boolean | undefined;
  data: unknown;
  /** `meta` as an object; `[]`, null and junk read as `{}`. */
  meta: WireMeta;
  /** The top-level object itself (some answers are bare, e.g. old /auth). */
  root: Record<string, unknown> | undefined;
  /** True when the body has none of success/data/meta (a bare answer: data = the body). */
  bare: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hasEnvelopeKey = (v: Record<string, unknown>) => 'success' in v || 'data' in v || 'meta' in v;

/**
 * A one-element array holding an envelope (`[{"success": …, "data": …, "meta": …}]`, as Altegio's
 * docs print the chain list, freeze, unfreeze, set_period and a set_balance refusal) is that
 * envelope. Any other array stays a bare answer.
 */
export function unwrapEnvelopeArray(body: unknown): unknown {
  if (Array.isArray(body) && body.length === 1 && isRecord(body[0]) && hasEnvelopeKey(body[0])) return body[0];
  return body;
}

export function parseEnvelope(raw: unknown): Envelope {
  const body = unwrapEnvelopeArray(raw);
  if (!isRecord(body)) {
    return { success: undefined, data: body, meta: {}, root: undefined, bare: true };
  }
  const enveloped = hasEnvelopeKey(body);
  const success = opt(WireFlag).parse(body['success']);
  const metaRaw = body['meta'];
  const meta = isRecord(metaRaw) ? WireMeta.catch({}).parse(metaRaw) : {};
  return { success, data: enveloped ? body['data'] : body, meta, root: body, bare: !enveloped };
}

/** `data` as a list. The old doc wraps lists in an extra array (`[[...]]`): unwrapped once. */
export function dataList(env: Envelope): unknown[] {
  const d = env.data;
  if (!Array.isArray(d)) throw unreadable();
  if (d.length === 1 && Array.isArray(d[0])) return d[0] as unknown[];
  return d;
}

/** `data` as one object. */
export function dataObject(env: Envelope): Record<string, unknown> {
  if (!isRecord(env.data)) throw unreadable();
  return env.data;
}

/** Parses every item leniently; items that are not objects (or lack what the schema needs) are dropped. */
export function parseItems<T extends z.ZodType>(items: unknown[], schema: T): Array<z.output<T>> {
  const out: Array<z.output<T>> = [];
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
  }
  return out;
}

/**
 * The items of an answer's list, as `parseItems`, except that a list with items of which none
 * could be read is unreadable: an answer the app cannot read never becomes an empty result.
 */
export function parseListItems<T extends z.ZodType>(items: unknown[], schema: T): Array<z.output<T>> {
  const out = parseItems(items, schema);
  if (items.length > 0 && out.length === 0) throw unreadable();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors (§1.3 shapes): meta.message + meta.errors, JSON:API errors[], error_code/error_message

export interface WireErrorInfo {
  message: string | undefined;
  /** Field → first message, keys stripped of `[...]`. */
  fields: Record<string, string>;
  errorCode: number | undefined;
}

function firstText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) {
    for (const x of v) {
      const t = firstText(x);
      if (t) return t;
    }
    return undefined;
  }
  if (isRecord(v)) return firstText(v['message'] ?? v['detail'] ?? v['title']);
  return undefined;
}

/** `[is_archived]` → `is_archived`; `filters[0][state]`, `filters.0.state`, `filters[0].state` → `filters.0.state`. */
export function cleanFieldKey(key: string): string {
  const parts = key
    .split(/[[\].]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return parts.join('.') || key;
}

export function parseErrorInfo(raw: unknown): WireErrorInfo {
  const body = unwrapEnvelopeArray(raw);
  const fields: Record<string, string> = {};
  let message: string | undefined;
  let errorCode: number | undefined;
  if (!isRecord(body)) return { message, fields, errorCode };
  const env = parseEnvelope(body);
  message = env.meta.message?.trim() || undefined;
  const collect = (errors: unknown) => {
    if (Array.isArray(errors)) {
      for (const e of errors) {
        if (!isRecord(e)) {
          const t = firstText(e);
          if (t) message ??= t;
          continue;
        }
        const text = firstText(e);
        const key = e['field'] ?? e['source'] ?? e['key'];
        const keyText = typeof key === 'string' ? key : isRecord(key) && typeof key['pointer'] === 'string' ? key['pointer'] : undefined;
        if (text && keyText) fields[cleanFieldKey(keyText.replace(/^\/+/, '').replace(/\//g, '.'))] ??= text;
        else if (text) message ??= text;
      }
    } else if (isRecord(errors)) {
      for (const [k, v] of Object.entries(errors)) {
        const t = firstText(v);
        if (t) fields[cleanFieldKey(k)] ??= t;
      }
    } else {
      const t = firstText(errors);
      if (t) message ??= t;
    }
  };
  collect(env.meta.errors);
  if ('errors' in body) collect(body['errors']);
  if (typeof body['error_message'] === 'string') message ??= body['error_message'];
  if (typeof body['message'] === 'string') message ??= body['message'];
  const code = opt(WireNum).parse(body['error_code']);
  if (code !== undefined) errorCode = code;
  return { message: message?.trim() || undefined, fields, errorCode };
}

// ---------------------------------------------------------------------------------------------
// /auth (§2.2)

export const WireAuthUser = z.object({
  id: opt(WireNum),
  user_token: opt(z.string().min(1)),
  name: opt(WireText),
  login: opt(WireText),
  phone: opt(WireText),
  email: opt(WireText),
});
export type WireAuthUser = z.infer<typeof WireAuthUser>;

// ---------------------------------------------------------------------------------------------
// Groups / companies (§3.1, §3.2)

export const WireCompany = z.object({
  id: WireId,
  title: opt(WireText),
  public_title: opt(WireText),
  timezone_name: opt(z.string()),
  /** Hours from UTC (current docs) or a zone name such as "Europe/Moscow" (the Blueprint's example). */
  timezone: opt(z.union([WireNum, z.string()])),
});
export type WireCompany = z.infer<typeof WireCompany>;

export const WireGroup = z.object({
  id: WireId,
  title: opt(WireText),
  companies: opt(z.array(z.unknown())),
  access: opt(z.record(z.string(), z.unknown())),
});
export type WireGroup = z.infer<typeof WireGroup>;

export function readFlag(v: unknown): boolean | undefined {
  return opt(WireFlag).parse(v);
}

// ---------------------------------------------------------------------------------------------
// Clients (§5a search, §5c card)

export const WireClient = z.object({
  id: WireId,
  name: opt(WireText),
  surname: opt(WireText),
  phone: opt(WireText),
  card: opt(WireText),
});
export type WireClient = z.infer<typeof WireClient>;

// ---------------------------------------------------------------------------------------------
// Memberships (§4.1 – §4.3)

export const WireLinkTarget = z.object({
  id: opt(WireId),
  category_id: opt(WireNum),
  title: opt(WireText),
  is_category: opt(WireFlag),
});

export const WireLink = z.object({
  count: opt(WireNum),
  is_unlimited: opt(WireFlag),
  service: opt(WireLinkTarget),
  category: opt(WireLinkTarget),
});
export type WireLink = z.infer<typeof WireLink>;

export const WireBalanceContainer = z.object({
  links: opt(z.array(z.unknown())),
});

export const WireStatus = z.object({
  id: opt(WireNum),
  title: opt(WireText),
  extended_title: opt(WireText),
  slug: opt(z.string()),
});

export const WireMembershipType = z.object({
  id: opt(WireId),
  salon_group_id: opt(WireId),
  title: opt(WireText),
  period: opt(WireNum),
  period_unit_id: opt(WireNum),
  allow_freeze: opt(WireFlag),
  freeze_limit: opt(WireNum),
  freeze_limit_unit_id: opt(WireNum),
  balance_edit_type_id: opt(WireNum),
  is_united_balance: opt(WireFlag),
  is_united_balance_unlimited: opt(WireFlag),
  united_balance_services_count: opt(WireNum),
  /** Locations the type is sold at (chain-level type docs; both spellings seen). */
  attached_salon_ids: opt(z.array(z.unknown())),
  attached_location_ids: opt(z.array(z.unknown())),
});
export type WireMembershipType = z.infer<typeof WireMembershipType>;

const nullableDate = opt(z.union([z.string(), z.null()]));

export const WireMembership = z.object({
  id: WireId,
  number: opt(WireText),
  balance_string: opt(WireText),
  created_date: nullableDate,
  activated_date: nullableDate,
  expiration_date: nullableDate,
  is_frozen: opt(WireFlag),
  freeze_period: opt(WireNum),
  freeze_till: nullableDate,
  period: opt(WireNum),
  period_unit_id: opt(WireNum),
  status: opt(WireStatus),
  is_united_balance: opt(WireFlag),
  is_united_balance_unlimited: opt(WireFlag),
  united_balance_services_count: opt(WireNum),
  balance_container: opt(WireBalanceContainer),
  type: opt(WireMembershipType),
});
export type WireMembership = z.infer<typeof WireMembership>;
