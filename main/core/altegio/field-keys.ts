/**
 * Altegio's field keys → the contract's (the one convention of `dispatch.ts` `fieldKey`: the names
 * of the channel's argument, an item of a list by its id — `services.<serviceId>`, `freezeTill`…),
 * so a field-level refusal from Altegio is shown beside the field the person filled in.
 *
 * Each write says how the keys of its own request map back (it knows what it sent: the i-th entry
 * of `services_balance_count` is the i-th service of the body); `failureFromHttp` applies the map,
 * the one place an answer becomes a failure. Keys arrive cleaned by `cleanFieldKey`
 * (`[services_balance_count][0][balance]`, `services_balance_count.0.balance` and
 * `services_balance_count[0].balance` all read `services_balance_count.0.balance`). A key no map
 * knows is about no field of ours: its words go into the failure's general message, never lost.
 */
import type { BalanceTarget } from '../../../preload/contract';

/** Altegio's (cleaned) field key → the contract's field key, or undefined for none of ours. */
export type FieldKeyMap = (altegioKey: string) => string | undefined;

/** The field key, without a JSON:API pointer's `data.attributes.` (ALTEGIO.md §1.3 marks that shape Med). */
function segmentsOf(key: string): string[] {
  const s = key.split('.');
  if (s[0] !== 'data') return s;
  return s[1] === 'attributes' ? s.slice(2) : s.slice(1);
}

/** A map of plain names: `{ freeze_till: 'freezeTill' }` (any deeper key under a name maps to it too). */
function byName(names: Readonly<Record<string, string>>): FieldKeyMap {
  return (key) => {
    const first = segmentsOf(key)[0];
    return first !== undefined && Object.hasOwn(names, first) ? names[first] : undefined;
  };
}

/**
 * POST …/freeze sends `freeze_till` only: the freeze dialog's one field is its end date, so every
 * date of the freeze Altegio may name (its start, its length) is about that choice.
 */
export const FREEZE_FIELDS: FieldKeyMap = byName({ freeze_till: 'freezeTill', freeze_from: 'freezeTill', freeze_period: 'freezeTill', date: 'freezeTill' });

/** POST …/set_period: the period dialog's one field is the expiry the period and unit are worked out from. */
export const PERIOD_FIELDS: FieldKeyMap = byName({ period: 'expiry', period_unit_id: 'expiry', expiration_date: 'expiry' });

/** POST /auth {login, password}: the sign-in form's fields (Altegio's login is a phone or an e-mail). */
export const AUTH_FIELDS: FieldKeyMap = byName({ login: 'login', phone: 'login', email: 'login', password: 'password' });

/**
 * POST …/set_balance: `united_balance_services_count` → `united`; `services_balance_count.<i>[.…]`
 * → `services.<serviceId of the i-th entry sent>`. The list as a whole (no index, or an index
 * beyond what was sent) is no one service's: general.
 */
export function balanceFields(sent: BalanceTarget): FieldKeyMap {
  return (key) => {
    const [name, index] = segmentsOf(key);
    if (name === 'united_balance_services_count') return 'united' in sent ? 'united' : undefined;
    if (name !== 'services_balance_count' || !('services' in sent) || index === undefined || !/^\d+$/.test(index)) return undefined;
    const entry = sent.services[Number(index)];
    return entry === undefined ? undefined : `services.${entry.serviceId}`;
  };
}

/** The general part's key among the fields: words about no field of ours (dispatch's `_`, the whole argument). */
export const GENERAL_FIELD = '_';

export interface PlacedFields {
  /**
   * Contract field key → Altegio's words about it: several of its keys may stand for one field of
   * ours (FREEZE_FIELDS), so each distinct sentence is kept, one per line, in the order said.
   */
  fields: Record<string, string>;
  /** Altegio's words about keys no field of ours stands for, each once, in the order said. */
  general: string[];
}

/** Sorts Altegio's field errors into ours and the general rest (no map: all general). */
export function placeFields(altegio: Readonly<Record<string, string>>, map: FieldKeyMap | undefined): PlacedFields {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const [key, words] of Object.entries(altegio)) {
    const ours = map?.(key);
    if (ours === undefined) {
      if (!general.includes(words)) general.push(words);
    } else {
      const said = fields[ours]?.split('\n') ?? [];
      if (!said.includes(words)) fields[ours] = [...said, words].join('\n');
    }
  }
  return { fields, general };
}
