/**
 * The downloadable sample file speaks the language in use (headers are the app's own column labels,
 * Excel's list separator for that language) and the import recognises every column of it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LANGUAGES, csvSeparator, type Language } from '../../common/i18n/languages';
import { guessMapping } from '../../main/core/batch/mapping';
import { detectDelimiter } from '../../main/core/batch/parse';
import { sampleFile } from '../../renderer/src/lib/batch';
import { bindLanguage, loadLanguage } from '../../renderer/src/lib/i18n';

let current: Language = 'en';
bindLanguage(() => current);
afterAll(() => bindLanguage(() => 'en'));

const HEADERS: Record<Language, string> = {
  en: 'Membership ID,Membership number,Phone,Service,New balance,Change (+/−),Reason',
  ru: 'ID абонемента;Номер абонемента;Телефон;Услуга;Новый остаток;Изменение (+/−);Причина',
  es: 'ID del abono;Número de abono;Teléfono;Servicio;Nuevo saldo;Cambio (+/−);Motivo',
  'pt-BR': 'ID da assinatura;Número da assinatura;Telefone;Serviço;Novo saldo;Alteração (+/−);Motivo',
};

describe('the sample file', () => {
  for (const lang of LANGUAGES) {
    it(`${lang}: headers in the language, its separator, a BOM, and every column recognised by the import`, async () => {
      await loadLanguage(lang);
      current = lang;
      const { fileName, csv } = sampleFile();
      expect(fileName).toMatch(/\.csv$/);
      expect(csv.startsWith('\uFEFF')).toBe(true);
      const lines = csv.slice(1).split('\r\n').filter((l) => l.length > 0);
      expect(lines[0]).toBe(HEADERS[lang]);
      expect(lines).toHaveLength(4);
      const sep = csvSeparator(lang);
      expect(detectDelimiter(csv.slice(1)).delimiter).toBe(sep);
      expect(guessMapping((lines[0] ?? '').split(sep))).toEqual({ membership_id: 0, number: 1, phone: 2, service: 3, balance: 4, delta: 5, reason: 6 });
      for (const line of lines) expect(line.split(sep)).toHaveLength(7);
    });
  }

  it('takes the separator as a parameter too', async () => {
    current = 'ru';
    await loadLanguage('ru');
    expect(sampleFile(',').csv.split('\r\n')[0]).toBe('\uFEFF' + HEADERS.ru.replaceAll(';', ','));
  });
});
