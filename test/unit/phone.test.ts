import { describe, expect, it } from 'vitest';
import { callingCodeForZone, formatPhone, internationalDigits, looksLikePhone } from '../../common/phone';

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
    expect(looksLikePhone('8 903 123 45 67')).toBe(true);
    expect(looksLikePhone('270709')).toBe(false);
    expect(looksLikePhone('NF-500731')).toBe(false);
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
