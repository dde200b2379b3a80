/**
 * The generic binding of the contract to the core, used by both shells. One function: look the
 * channel up, validate the argument with its schema (the page is trusted for nothing), run the
 * handler, validate its result, and turn every failure into data.
 */
import { z } from 'zod';
import {
  channels,
  type FieldIssue,
  isChannelName,
  type MsgData,
  type ChannelName,
  type ChannelResult,
  type ParsedArgs,
  type Reply,
} from '../../preload/contract';
import { DeskFailure, toDeskError } from './errors';
import { msg } from '../../common/i18n/translate';
import { inEnglish } from '../../common/i18n/words';
import { asStorageFault } from './store/fault';
import type { Logger } from './log';

const BAD_ARGUMENTS = msg('error.app.badArguments');

export type Handlers = {
  [C in ChannelName]: (args: ParsedArgs<C>) => Promise<ChannelResult<C>>;
};

/**
 * The field an issue is about, in the core's one convention: names as in the channel's argument,
 * joined by dots, and an item of a list by its id, not its position — `services.<serviceId>`
 * (what the core says of a service's balance), never zod's `services.0.balance`. `_`: the whole argument.
 * Altegio's refusals arrive in the same convention (altegio/field-keys.ts, applied by failureFromHttp).
 */
export function fieldKey(path: readonly PropertyKey[], args: unknown): string {
  if (path.length === 0) return '_';
  const parts: string[] = [];
  let at: unknown = args;
  for (const segment of path) {
    const next = at !== null && typeof at === 'object' && Object.hasOwn(at, segment) ? (at as Record<PropertyKey, unknown>)[segment] : undefined;
    if (typeof segment === 'number' && next !== null && typeof next === 'object') {
      const id = (next as { serviceId?: unknown; id?: unknown }).serviceId ?? (next as { id?: unknown }).id;
      if (typeof id === 'number' && Number.isSafeInteger(id)) {
        parts.push(String(id));
        return parts.join('.');
      }
    }
    parts.push(String(segment));
    at = next;
  }
  return parts.join('.');
}

/** Turns zod issues into `{ field: message }` (the schema's words, for logs and tests). */
export function zodFields(error: z.ZodError, args: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[fieldKey(issue.path, args)] ??= issue.message;
  return fields;
}

/** What one zod issue means, as a code the renderer words from its catalogs (never zod's English). */
export function fieldIssueOf(issue: z.core.$ZodIssue, args: unknown): FieldIssue {
  if (issue.code === 'too_big') {
    const limit = Number(issue.maximum);
    return issue.origin === 'string' || issue.origin === 'array' ? { code: 'too_long', limit } : { code: 'too_big', limit };
  }
  if (issue.code === 'too_small') {
    const limit = Number(issue.minimum);
    if ((issue.origin === 'string' || issue.origin === 'array') && limit <= 1) return { code: 'required' };
    return issue.origin === 'string' || issue.origin === 'array' ? { code: 'too_short', limit } : { code: 'too_small', limit };
  }
  if (issue.code === 'invalid_type' && valueAt(args, issue.path) === undefined) return { code: 'required' };
  return { code: 'invalid' };
}

const valueAt = (value: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' && Object.hasOwn(at, key) ? (at as Record<PropertyKey, unknown>)[key] : undefined), value);

export function zodFieldIssues(error: z.ZodError, args: unknown): Record<string, FieldIssue> {
  const issues: Record<string, FieldIssue> = {};
  for (const issue of error.issues) issues[fieldKey(issue.path, args)] ??= fieldIssueOf(issue, args);
  return issues;
}

export async function dispatch(handlers: Handlers, channel: unknown, rawArgs: unknown, log?: Logger): Promise<Reply<unknown>> {
  if (!isChannelName(channel)) {
    return { ok: false, error: new DeskFailure('bad_input', msg('error.app.unknownRequest'), { code: 'app.unknown_channel' }).toData() };
  }
  const spec = channels[channel];
  const parsed = spec.args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const fields = zodFields(parsed.error, rawArgs ?? {});
    return {
      ok: false,
      // The message (for logs) is the schema's; the person sees each field's coded issue, or BAD_ARGUMENTS.
      error: { kind: 'bad_input', code: 'app.bad_arguments', origin: 'app', message: Object.values(fields)[0] ?? inEnglish(BAD_ARGUMENTS), msg: BAD_ARGUMENTS as MsgData, fields, fieldIssues: zodFieldIssues(parsed.error, rawArgs ?? {}) },
    };
  }
  try {
    const handler = handlers[channel] as (args: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    const checked = spec.result.safeParse(value);
    if (!checked.success) {
      // A bug in the core, not the user's fault: log the shape problem (no values), say "server".
      log?.error('contract result invalid', { channel, issues: checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
      throw new DeskFailure('server', msg('error.app.badResult'), { code: 'app.bad_result' });
    }
    return { ok: true, value: checked.data };
  } catch (e) {
    // A write the database refused (full disk…) is said as such, whichever repository hit it.
    const error = toDeskError(asStorageFault(e));
    if (!(e instanceof DeskFailure)) log?.error('handler crashed', { channel, error: e instanceof Error ? e.message : String(e) });
    return { ok: false, error };
  }
}
