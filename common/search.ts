/**
 * What a search text can be. The search box finds clients (name, phone, card) and, when the text
 * can be one, a membership by its id. A phone typed as digits (79991234567) must not also ask
 * Altegio for a membership with that id (one wasted request per phone search): an id is `#` and
 * digits, or 4–9 digits alone (Altegio's membership ids have 7–8 today; a phone has 10 or more).
 */
const HASH_ID = /^#(\d{1,15})$/;
const BARE_ID = /^(\d{4,9})$/;

/** The membership id a search text stands for, or null when it cannot be one. */
export function membershipIdIn(text: string): number | null {
  const t = text.trim();
  const m = HASH_ID.exec(t) ?? BARE_ID.exec(t);
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
