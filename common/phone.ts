/**
 * The one phone rule of the app — the search box, the memberships service, the API layer and batch
 * files all use it, nothing restates it:
 *  - what a phone is (`phoneDigits`): phone characters only (digits, spaces, "+", "(", ")", "-",
 *    "."), and PHONE_DIGITS.min to PHONE_DIGITS.max digits (E.164's longest is 15);
 *  - how a phone reads as digits at a location (`internationalDigits`): which country the location
 *    dials in (from its time zone: the contract's Location has no country), how a domestic form
 *    reads as an international number (a Russian "8 903 123-45-67" is 79031234567, a German
 *    "030 5550 1000" is 49305551000); without a calling code, the digits as typed ("+" and a "00"
 *    prefix dropped);
 *  - what a search text can be (`canBePhone`, `membershipIdIn`): a phone, a membership id, or both
 *    (a 7–9 digit text);
 *  - how a number is shown to the desk (`formatPhone`: grouped; without the country code when it
 *    is the location's own NANP number).
 * The app's refusal of a text that is not a phone is one failure too (main/core/phone.ts).
 *
 * A small rule for the countries Altegio serves, not a numbering plan: libphonenumber-js with its
 * `min` metadata would add ~80 kB to the renderer for formats the desk does not need. What the rule
 * cannot place is left as the digits it was given.
 */

/** How many digits a phone has: fewer is a fragment (an extension, a part of a number), more is not a phone (E.164: 15 at most). */
export const PHONE_DIGITS = { min: 7, max: 15 } as const;

/** Calling code by IANA zone: the zones of the countries Altegio serves (and the demo's). */
const ZONE_CODES: Record<string, string> = {};
const put = (code: string, zones: string[]) => {
  for (const z of zones) ZONE_CODES[z] = code;
};
put('7', [
  // Russia
  'Europe/Moscow', 'Europe/Kaliningrad', 'Europe/Samara', 'Europe/Volgograd', 'Europe/Kirov', 'Europe/Astrakhan', 'Europe/Saratov', 'Europe/Ulyanovsk',
  'Asia/Yekaterinburg', 'Asia/Omsk', 'Asia/Novosibirsk', 'Asia/Barnaul', 'Asia/Tomsk', 'Asia/Novokuznetsk', 'Asia/Krasnoyarsk', 'Asia/Irkutsk',
  'Asia/Chita', 'Asia/Yakutsk', 'Asia/Khandyga', 'Asia/Vladivostok', 'Asia/Ust-Nera', 'Asia/Magadan', 'Asia/Sakhalin', 'Asia/Srednekolymsk',
  'Asia/Kamchatka', 'Asia/Anadyr', 'Europe/Simferopol',
  // Kazakhstan
  'Asia/Almaty', 'Asia/Qyzylorda', 'Asia/Qostanay', 'Asia/Aqtobe', 'Asia/Aqtau', 'Asia/Atyrau', 'Asia/Oral',
]);
put('375', ['Europe/Minsk']);
put('380', ['Europe/Kiev', 'Europe/Kyiv', 'Europe/Uzhgorod', 'Europe/Zaporozhye']);
put('998', ['Asia/Tashkent', 'Asia/Samarkand']);
put('996', ['Asia/Bishkek']);
put('995', ['Asia/Tbilisi']);
put('374', ['Asia/Yerevan']);
put('994', ['Asia/Baku']);
put('373', ['Europe/Chisinau']);
put('371', ['Europe/Riga']);
put('370', ['Europe/Vilnius']);
put('372', ['Europe/Tallinn']);
put('48', ['Europe/Warsaw']);
put('420', ['Europe/Prague']);
put('49', ['Europe/Berlin']);
put('43', ['Europe/Vienna']);
put('41', ['Europe/Zurich']);
put('44', ['Europe/London']);
put('353', ['Europe/Dublin']);
put('33', ['Europe/Paris']);
put('34', ['Europe/Madrid', 'Atlantic/Canary']);
put('351', ['Europe/Lisbon']);
put('39', ['Europe/Rome']);
put('31', ['Europe/Amsterdam']);
put('90', ['Europe/Istanbul']);
put('972', ['Asia/Jerusalem']);
put('971', ['Asia/Dubai']);
put('81', ['Asia/Tokyo']);
put('55', ['America/Sao_Paulo', 'America/Bahia', 'America/Fortaleza', 'America/Recife', 'America/Manaus', 'America/Belem']);
put('52', ['America/Mexico_City', 'America/Cancun', 'America/Monterrey', 'America/Tijuana']);
put('1', [
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'America/Detroit',
  'America/Boise', 'Pacific/Honolulu', 'America/Toronto', 'America/Vancouver', 'America/Edmonton', 'America/Winnipeg', 'America/Halifax',
  'America/Regina', 'America/St_Johns', 'America/Puerto_Rico',
]);
const NANP_PREFIXES = ['America/Indiana/', 'America/Kentucky/', 'America/North_Dakota/'];

/** Every calling code the rule knows, longest first (to split an international number). */
const KNOWN_CODES = [...new Set(Object.values(ZONE_CODES))].sort((a, b) => b.length - a.length);

/** The calling code a location dials in, from its zone; null when the rule does not know it. */
export function callingCodeForZone(zone: string | null | undefined): string | null {
  if (!zone) return null;
  return ZONE_CODES[zone] ?? (NANP_PREFIXES.some((p) => zone.startsWith(p)) ? '1' : null);
}

/** Digits and what people type around them: spaces (also no-break, thin and tabs; never a line break), "+", brackets, dashes, dots. */
const PHONE_CHARS = /^[\d \t\u00A0\u2007\u2009\u202F()+\-.]+$/;

/** A phone's digits and whether it was written internationally ("+…" or "00…"); null when the text is not a phone. */
function readPhone(text: string): { digits: string; international: boolean } | null {
  const raw = text.trim();
  if (!PHONE_CHARS.test(raw)) return null;
  let digits = raw.replace(/\D/g, '');
  let international = raw.startsWith('+');
  if (!international && digits.startsWith('00')) {
    digits = digits.slice(2);
    international = true;
  }
  return digits.length >= PHONE_DIGITS.min && digits.length <= PHONE_DIGITS.max ? { digits, international } : null;
}

/**
 * The digits of a phone as typed ("+7 (999) 123-45-67" → "79991234567"), a "00" international
 * prefix dropped; null when the text is not a phone (other characters, or fewer than
 * PHONE_DIGITS.min or more than PHONE_DIGITS.max digits, the prefix not counted).
 */
export function phoneDigits(text: string): string | null {
  return readPhone(text)?.digits ?? null;
}

/** Whether a text is a phone by the rule (the search reads such a text as a phone). */
export function canBePhone(text: string): boolean {
  return readPhone(text) !== null;
}

/**
 * The international digits (no "+") of a phone as typed at a location dialling `code`; null when
 * the text is not a phone (`phoneDigits`). One function for every reader: the search, a membership
 * look-up by phone and a batch file's phone column all read "8 903 …" at a Russian location as
 * 7903…; `code` null (no location, or a phone Altegio already holds) reads no domestic form.
 *   "+7 903 …", "007 903 …"       → as given (international)
 *   code 7:  "8 903 123 45 67"    → 79031234567;  "903 123 45 67" → 79031234567
 *   code 1:  "(512) 555-0142"     → 15125550142;  "1 512 555 0142" → 15125550142
 *   code 375: "8 029 123 45 67"   → 375291234567
 *   others:  a leading trunk 0    → code + the rest ("030 5550 1000" at 49 → 493055501000)
 * A number the rule cannot place (no code, or digits that fit no domestic form) stays as typed.
 */
export function internationalDigits(text: string, code: string | null): string | null {
  const read = readPhone(text);
  if (read === null) return null;
  let digits = read.digits;
  if (read.international || code === null) return digits;
  if (code === '7') {
    if (digits.length === 11 && digits.startsWith('8')) return '7' + digits.slice(1);
    if (digits.length === 10 && digits.startsWith('9')) return '7' + digits;
    return digits;
  }
  if (code === '1') {
    if (digits.length === 10) return '1' + digits;
    return digits;
  }
  if (code === '375' && digits.startsWith('80') && digits.length === 11) digits = digits.slice(1);
  if (digits.startsWith('0')) return code + digits.slice(1);
  return digits;
}

/**
 * Membership ids a search text can stand for: "#" and digits, or MEMBERSHIP_ID_DIGITS digits alone
 * (Altegio's membership ids have 7–8 today). A full phone has 10 or more digits, so a phone typed
 * as digits (79991234567) never also asks Altegio for a membership with that id (one wasted request
 * per phone search); 7–9 bare digits can be either (a local number, an id) and are read as both.
 */
const MEMBERSHIP_ID_DIGITS = { min: 4, max: 9 } as const;
const HASH_ID = /^#(\d{1,15})$/;
const BARE_ID = new RegExp(`^(\\d{${MEMBERSHIP_ID_DIGITS.min},${MEMBERSHIP_ID_DIGITS.max}})$`);

/** The membership id a search text stands for, or null when it cannot be one. */
export function membershipIdIn(text: string): number | null {
  const t = text.trim();
  const m = HASH_ID.exec(t) ?? BARE_ID.exec(t);
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function groups(digits: string, sizes: number[]): string {
  const out: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= digits.length) break;
    out.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) out.push(digits.slice(at));
  return out.join(' ');
}

/**
 * A phone for the desk: "+7 495 555-01-42", "(512) 555-0142" (the location's own NANP number),
 * "+1 512 555 0142" (a NANP number elsewhere), "+49 30 5550 1000". Text that is not a phone, or a
 * number the rule cannot split, is shown as Altegio has it.
 */
export function formatPhone(text: string, code: string | null): string {
  const intl = internationalDigits(text, code);
  if (intl === null) return text;
  const cc = KNOWN_CODES.find((c) => intl.startsWith(c));
  if (!cc) return text;
  const rest = intl.slice(cc.length);
  if (cc === '7' && rest.length === 10) return `+7 ${rest.slice(0, 3)} ${rest.slice(3, 6)}-${rest.slice(6, 8)}-${rest.slice(8)}`;
  if (cc === '1' && rest.length === 10) {
    return code === '1' ? `(${rest.slice(0, 3)}) ${rest.slice(3, 6)}-${rest.slice(6)}` : `+1 ${rest.slice(0, 3)} ${rest.slice(3, 6)} ${rest.slice(6)}`;
  }
  if (rest.length <= 4) return `+${cc} ${rest}`;
  // Groups of four from the end, the rest in front ("+49 30 5550 1000", "+81 3 5550 0142"):
  // readable, not a numbering plan.
  const first = rest.length > 8 ? Math.min(4, rest.length - 8) : rest.length - 4;
  return `+${cc} ${groups(rest, [first, 4, 4, 4])}`;
}
