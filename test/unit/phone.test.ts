import { describe, expect, it } from 'vitest';
import { callingCodeForZone, canBePhone, formatPhone, internationalDigits, membershipIdIn, PHONE_DIGITS, phoneDigits } from '../../common/phone';

describe('the phone rule (issue 13 item 12)', () => {
  it('knows the calling code of a location from its zone', () => {
    expect(callingCodeForZone('Europe/Moscow')).toBe('7');
    expect(callingCodeForZone('Asia/Almaty')).toBe('7');
    expect(callingCodeForZone('America/Chicago')).toBe('1');
    expect(callingCodeForZone('America/Indiana/Indianapolis')).toBe('1');
    expect(callingCodeForZone('America/Sao_Paulo')).toBe('55');
    expect(callingCodeForZone('Europe/Berlin')).toBe('49');
    expect(callingCodeForZone('Asia/Tokyo')).toBe('81');
    expect(callingCodeForZone('Europe/Minsk')).toBe('375');
    expect(callingCodeForZone('UTC')).toBeNull();
    expect(callingCodeForZone(null)).toBeNull();
  });

  it('reads a Russian domestic form as the international number', () => {
    const ru = '7';
    expect(internationalDigits('8 903 123 45 67', ru)).toBe('79031234567');
    expect(internationalDigits('8 (903) 123-45-67', ru)).toBe('79031234567');
    expect(internationalDigits('903 123-45-67', ru)).toBe('79031234567');
    expect(internationalDigits('+7 903 123-45-67', ru)).toBe('79031234567');
    expect(internationalDigits('79031234567', ru)).toBe('79031234567');
    expect(internationalDigits('007 903 123 45 67', ru)).toBe('79031234567');
    // A foreign number written internationally stays itself.
    expect(internationalDigits('+1 512 555 0142', ru)).toBe('15125550142');
  });

  it('reads NANP, trunk-0 and Belarusian domestic forms', () => {
    expect(internationalDigits('(512) 555-0142', '1')).toBe('15125550142');
    expect(internationalDigits('1 512 555 0142', '1')).toBe('15125550142');
    expect(internationalDigits('030 5550 1000', '49')).toBe('493055501000');
    expect(internationalDigits('03-5550-0142', '81')).toBe('81355500142');
    expect(internationalDigits('8 029 123 45 67', '375')).toBe('375291234567');
    expect(internationalDigits('029 123 45 67', '375')).toBe('375291234567');
    // Without a known code the digits stay as typed.
    expect(internationalDigits('8 903 123 45 67', null)).toBe('89031234567');
  });

  it('is no phone: letters, too few or too many digits', () => {
    expect(internationalDigits('Dana', '7')).toBeNull();
    expect(internationalDigits('270709', '7')).toBeNull();
    expect(internationalDigits('1234567890123456', '7')).toBeNull();
    expect(canBePhone('8 903 123 45 67')).toBe(true);
    expect(canBePhone('270709')).toBe(false);
    expect(canBePhone('NF-500731')).toBe(false);
  });

  it('shows a phone grouped for the desk, without +1 for the location’s own NANP numbers', () => {
    expect(formatPhone('+7 (495) 555-01-42', '7')).toBe('+7 495 555-01-42');
    expect(formatPhone('84955550142', '7')).toBe('+7 495 555-01-42');
    expect(formatPhone('+15125550142', '1')).toBe('(512) 555-0142');
    expect(formatPhone('+15125550142', '7')).toBe('+1 512 555 0142');
    expect(formatPhone('+493055501000', '49')).toBe('+49 30 5550 1000');
    expect(formatPhone('+81355500142', '81')).toBe('+81 3 5550 0142');
    expect(formatPhone('+4930123', null)).toBe('+49 3 0123');
    // Not a phone, or no known code: as Altegio has it.
    expect(formatPhone('ask at the desk', '7')).toBe('ask at the desk');
    expect(formatPhone('+999 1234 5678', null)).toBe('+999 1234 5678');
  });
});

/**
 * The one rule, as front-desk staff type phones: what is a phone, its digits, and its international
 * digits at a Russian (7), US (1), Brazilian (55), Spanish (34) and German (49) location. The search,
 * the memberships service, the API layer and the batch CSV all read a phone through these.
 */
describe('the one phone rule, as the desk types phones', () => {
  it.each([
    // text,                    digits,           at 7,             at 1,             at 55,            at 34,            at 49
    ['+7 (999) 123-45-67', '79991234567', '79991234567', '79991234567', '79991234567', '79991234567', '79991234567'],
    ['8 999 123 45 67', '89991234567', '79991234567', '89991234567', '89991234567', '89991234567', '89991234567'],
    ['8-999-123-45-67', '89991234567', '79991234567', '89991234567', '89991234567', '89991234567', '89991234567'],
    ['999 123 45 67', '9991234567', '79991234567', '19991234567', '9991234567', '9991234567', '9991234567'],
    ['+55 11 91234-5678', '5511912345678', '5511912345678', '5511912345678', '5511912345678', '5511912345678', '5511912345678'],
    ['+34 612 34 56 78', '34612345678', '34612345678', '34612345678', '34612345678', '34612345678', '34612345678'],
    ['+1 (512) 555-0142', '15125550142', '15125550142', '15125550142', '15125550142', '15125550142', '15125550142'],
    ['512.555.0142', '5125550142', '5125550142', '15125550142', '5125550142', '5125550142', '5125550142'],
    ['0049 30 5550 1000', '493055501000', '493055501000', '493055501000', '493055501000', '493055501000', '493055501000'],
    ['030 5550 1000', '03055501000', '03055501000', '03055501000', '553055501000', '343055501000', '493055501000'],
    ['\u00a0+7\u00a0999\u00a0123\u00a045\u00a067 ', '79991234567', '79991234567', '79991234567', '79991234567', '79991234567', '79991234567'],
    ['+7\t999 123 45 67', '79991234567', '79991234567', '79991234567', '79991234567', '79991234567', '79991234567'],
    ['5550142', '5550142', '5550142', '5550142', '5550142', '5550142', '5550142'],
  ])('%s is a phone: digits %s; at 7 %s, 1 %s, 55 %s, 34 %s, 49 %s', (text, digits, at7, at1, at55, at34, at49) => {
    expect(canBePhone(text)).toBe(true);
    expect(phoneDigits(text)).toBe(digits);
    expect(internationalDigits(text, null)).toBe(digits);
    expect(['7', '1', '55', '34', '49'].map((code) => internationalDigits(text, code))).toEqual([at7, at1, at55, at34, at49]);
  });

  it.each([
    ['too short', '555-01'],
    ['too short after the 00 prefix', '00 12 345'],
    ['too long', '+7 999 123 45 67 123 45'],
    ['letters', '+7 999 CALL-NOW'],
    ['an extension', '+1 512 555 0142 ext 3'],
    ['a name', 'Dana Whitfield'],
    ['a card', 'NF-500731'],
    ['a line break inside', '+7 999\n123 45 67'],
    ['only marks', '+() - .'],
    ['empty', ''],
  ])('%s (%j) is no phone for anyone', (_what, text) => {
    expect(canBePhone(text)).toBe(false);
    expect(phoneDigits(text)).toBeNull();
    for (const code of [null, '7', '1', '55', '34', '49']) expect(internationalDigits(text, code)).toBeNull();
  });

  it('has its digit limits in one place: the shortest and the longest phone', () => {
    const digits = (n: number) => '1'.repeat(n);
    expect(canBePhone(digits(PHONE_DIGITS.min))).toBe(true);
    expect(canBePhone(digits(PHONE_DIGITS.min - 1))).toBe(false);
    expect(canBePhone(`+${digits(PHONE_DIGITS.max)}`)).toBe(true);
    expect(canBePhone(`+${digits(PHONE_DIGITS.max + 1)}`)).toBe(false);
  });
});

describe('a search text: a phone, a membership id, or both', () => {
  it.each([
    // text,             phone?, id
    ['4471902', true, 4471902], // 7 digits: a local number or an id, asked as both
    ['#4471902', false, 4471902],
    [' 500731 ', false, 500731],
    ['#12', false, 12],
    ['1234', false, 1234],
    ['123456789', true, 123456789],
    ['79991234567', true, null], // a full phone is never also asked for by id
    ['15125550142', true, null],
    ['+79991234567', true, null],
    ['+7 (999) 123-45-67', true, null],
    ['8 999 123 45 67', true, null],
    ['+55 11 91234-5678', true, null],
    ['+34 612 34 56 78', true, null],
    ['512-555-0142', true, null],
    ['123', false, null],
    ['Dana', false, null],
    ['#', false, null],
    ['#12a', false, null],
    ['0000', false, null],
    ['', false, null],
  ])('%j: phone %s, id %s', (text, phone, id) => {
    expect(canBePhone(text)).toBe(phone);
    expect(membershipIdIn(text)).toBe(id);
  });
});
