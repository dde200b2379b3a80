/**
 * What the user's chain rights (from /groups `access`) let the app offer. A right is true, false,
 * or null when /groups did not carry the flag (both docs' examples omit the membership flags): null
 * is unknown, so the action is offered and Altegio decides. When Altegio refuses one with a 403,
 * the session records its words in `refused` and the action stays off on that chain until the next
 * sign-in.
 */
import type { Rights } from '../preload/contract';
import { msg, type MessageKey, type MessageParams, type Msg } from './i18n/translate';
import { inEnglish } from './i18n/words';

export type RightName = 'periodEdit' | 'balanceEdit';
export type RightsView = Partial<Pick<Rights, RightName>> & Pick<Rights, 'refused'>;

/** Not allowed: `why` for the renderer to word, `reason` the same in English (the core's messages). */
export type RightCheck = { allowed: true } | { allowed: false; why: Msg; reason: string };

/** A catalog key whose message has no parameters (a role's refusal is one fixed sentence). */
export type NoParamKey = { [K in MessageKey]: keyof MessageParams[K] extends never ? K : never }[MessageKey];

const ROLE_SAYS_NO: Record<RightName, NoParamKey> = {
  periodEdit: 'rights.periodEdit',
  balanceEdit: 'action.balance.noRight',
};

/** How a refusal by Altegio is put to the person (its own words inside). */
export function refusedMsg(words: string): Msg {
  return msg('rights.refused', { words });
}

export function rightAllows(rights: RightsView | null | undefined, right: RightName, roleSaysNo: NoParamKey = ROLE_SAYS_NO[right]): RightCheck {
  const refused = rights?.refused?.[right];
  const no = (why: Msg): RightCheck => ({ allowed: false, why, reason: inEnglish(why) });
  if (refused !== undefined) return no(refusedMsg(refused));
  if (!rights || rights[right] === false) return no(msg(roleSaysNo));
  return { allowed: true };
}
