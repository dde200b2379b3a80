/**
 * The generic binding of the contract to the core, used by both shells. One function: look the
 * channel up, validate the argument with its schema (the page is trusted for nothing), run the
 * handler, validate its result, and turn every failure into data.
 */
import { z } from 'zod';
import {
  channels,
  isChannelName,
  type ChannelName,
  type ChannelResult,
  type ParsedArgs,
  type Reply,
} from '../../preload/contract';
import { DeskFailure, toDeskError } from './errors';
import { asStorageFault } from './store/fault';
import type { Logger } from './log';

export type Handlers = {
  [C in ChannelName]: (args: ParsedArgs<C>) => Promise<ChannelResult<C>>;
};

/** Turns zod issues into `{ field: message }`, the shape the renderer shows next to fields. */
export function zodFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

export async function dispatch(handlers: Handlers, channel: unknown, rawArgs: unknown, log?: Logger): Promise<Reply<unknown>> {
  if (!isChannelName(channel)) {
    return { ok: false, error: { kind: 'bad_input', message: 'Unknown request.' } };
  }
  const spec = channels[channel];
  const parsed = spec.args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const fields = zodFields(parsed.error);
    return {
      ok: false,
      error: { kind: 'bad_input', message: Object.values(fields)[0] ?? 'Some of the values are not valid.', fields },
    };
  }
  try {
    const handler = handlers[channel] as (args: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    const checked = spec.result.safeParse(value);
    if (!checked.success) {
      // A bug in the core, not the user's fault: log the shape problem (no values), say "server".
      log?.error('contract result invalid', { channel, issues: checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
      throw new DeskFailure('server', 'The app produced an unexpected answer. Try again.');
    }
    return { ok: true, value: checked.data };
  } catch (e) {
    // A write the database refused (full disk…) is said as such, whichever repository hit it.
    const error = toDeskError(asStorageFault(e));
    if (!(e instanceof DeskFailure)) log?.error('handler crashed', { channel, error: e instanceof Error ? e.message : String(e) });
    return { ok: false, error };
  }
}
