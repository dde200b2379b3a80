/**
 * The app's one refusal of a text that is not a phone (the rule is common/phone.ts): the API layer
 * and the memberships service refuse with the same failure — kind `validation`, origin `app`, code
 * `app.not_a_phone`, the field `phone` — so the desk shows one heading ("The app cannot do this as
 * entered.") and the same words, whichever layer caught it. A batch file's bad phone is a row
 * problem instead (`bad_phone`, batch/validate.ts), with the same limits in its words.
 */
import { internationalDigits, PHONE_DIGITS } from '../../common/phone';
import { msg } from '../../common/i18n/translate';
import { DeskFailure } from './errors';

export const NOT_A_PHONE = 'app.not_a_phone';

/** The failure for a text that is not a phone. */
export function notAPhone(): DeskFailure {
  const words = msg('error.app.notAPhone', { min: PHONE_DIGITS.min, max: PHONE_DIGITS.max });
  return new DeskFailure('validation', words, { code: NOT_A_PHONE, fields: { phone: msg('error.app.notAPhoneField') } });
}

/** The international digits of `text` at a location dialling `code` (null: as written), or the refusal. */
export function phoneOrRefuse(text: string, code: string | null): string {
  const digits = internationalDigits(text, code);
  if (digits === null) throw notAPhone();
  return digits;
}
