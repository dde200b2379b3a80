/**
 * What the user's chain rights (from /groups `access`) let the app offer. A right is true, false,
 * or null when /groups did not carry the flag (both docs' examples omit the membership flags): null
 * is unknown, so the action is offered and Altegio decides. When Altegio refuses one with a 403,
 * the session records its words in `refused` and the action stays off on that chain until the next
 * sign-in.
 */
import type { Rights } from '../preload/contract';

export type RightName = 'periodEdit' | 'balanceEdit';
export type RightsView = Partial<Pick<Rights, RightName>> & Pick<Rights, 'refused'>;

export type RightCheck = { allowed: true } | { allowed: false; reason: string };

const ROLE_SAYS_NO: Record<RightName, string> = {
  periodEdit: 'Your Altegio role does not allow freezing or unfreezing memberships.',
  balanceEdit: 'Your Altegio role does not allow changing membership balances.',
};

/** How a refusal by Altegio is put to the person (its own words inside). */
export function refusedText(words: string): string {
  return `Altegio refused this for your account on this chain ("${words}"). It stays off until you sign in again; ask the account owner for the right.`;
}

export function rightAllows(rights: RightsView | null | undefined, right: RightName, roleSaysNo: string = ROLE_SAYS_NO[right]): RightCheck {
  const refused = rights?.refused?.[right];
  if (refused !== undefined) return { allowed: false, reason: refusedText(refused) };
  if (!rights || rights[right] === false) return { allowed: false, reason: roleSaysNo };
  return { allowed: true };
}
