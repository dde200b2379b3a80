/**
 * The call wrapper every screen uses. When a reply says the sign-in has expired, it asks for the
 * password in place (through `prompt`, which shows the re-authentication dialog) and, once that
 * succeeds, repeats the interrupted call and resolves the original promise with its result. The
 * screen that made the call never notices; nothing typed is lost. Several calls interrupted at once
 * share one prompt.
 */
import type { ChannelArgs, ChannelName, ChannelResult, DeskApi, Reply } from '../../../preload/contract';

/** Resolves `true` once the person signed in again, `false` if they gave up. */
export type AuthPrompt = () => Promise<boolean>;

/** Channels that are themselves about signing in: their `auth_expired` is an answer, not an interruption. */
const NO_RETRY: ReadonlySet<ChannelName> = new Set<ChannelName>(['session.signIn', 'session.reauthenticate', 'session.startDemo', 'session.signOut', 'session.get']);

export type Call = <C extends ChannelName>(channel: C, args: ChannelArgs<C>) => Promise<Reply<ChannelResult<C>>>;

export function createCaller(api: Pick<DeskApi, 'invoke'>, prompt: AuthPrompt, maxPrompts = 3): Call {
  let pending: Promise<boolean> | null = null;

  function askOnce(): Promise<boolean> {
    if (!pending) {
      pending = prompt()
        .catch(() => false)
        .finally(() => {
          pending = null;
        });
    }
    return pending;
  }

  return async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<Reply<ChannelResult<C>>> {
    let reply = await api.invoke(channel, args);
    let prompts = 0;
    while (!reply.ok && reply.error.kind === 'auth_expired' && !NO_RETRY.has(channel) && prompts < maxPrompts) {
      prompts += 1;
      const signedIn = await askOnce();
      if (!signedIn) return reply;
      reply = await api.invoke(channel, args);
    }
    return reply;
  };
}

/**
 * Runs only the newest of overlapping requests' answers: each `next()` returns a ticket, and
 * `isCurrent(ticket)` says whether no newer request has started since. Used by search-as-you-type
 * so a slow old answer never overwrites a newer one.
 */
export function createLatest() {
  let counter = 0;
  return {
    next(): number {
      counter += 1;
      return counter;
    },
    isCurrent(ticket: number): boolean {
      return ticket === counter;
    },
  };
}

/** The optional `reason` argument of a write: trimmed, left out when empty. */
export function optionalReason(text: string): { reason?: string } {
  const reason = text.trim();
  return reason ? { reason } : {};
}
