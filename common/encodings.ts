/**
 * The encodings offered in the batch screen's picker, declared once where both sides see it: the
 * renderer shows them (the encoding's name, with what it is for in the catalog's words), and a
 * core test checks the decoder accepts every one (it accepts more).
 */
import type { MessageKey } from './i18n/translate';

export const ENCODING_CHOICES: ReadonlyArray<{ value: string; name: string; note: MessageKey | null }> = [
  { value: 'utf-8', name: 'UTF-8', note: 'batch.encoding.mostFiles' },
  { value: 'windows-1251', name: 'Windows-1251', note: 'batch.encoding.russianExcel' },
  { value: 'windows-1252', name: 'Windows-1252', note: 'batch.encoding.westernExcel' },
  { value: 'utf-16le', name: 'UTF-16 LE', note: 'batch.encoding.unicodeText' },
  { value: 'utf-16be', name: 'UTF-16 BE', note: null },
  { value: 'koi8-r', name: 'KOI8-R', note: 'batch.encoding.russian' },
  { value: 'ibm866', name: 'CP866', note: 'batch.encoding.russianDos' },
  { value: 'iso-8859-5', name: 'ISO-8859-5', note: 'batch.encoding.cyrillic' },
  { value: 'windows-1250', name: 'Windows-1250', note: 'batch.encoding.centralEuropean' },
  { value: 'windows-1253', name: 'Windows-1253', note: 'batch.encoding.greek' },
  { value: 'windows-1254', name: 'Windows-1254', note: 'batch.encoding.turkish' },
  { value: 'windows-1257', name: 'Windows-1257', note: 'batch.encoding.baltic' },
  { value: 'iso-8859-1', name: 'ISO-8859-1 (Latin-1)', note: null },
  { value: 'iso-8859-2', name: 'ISO-8859-2 (Latin-2)', note: null },
  { value: 'iso-8859-15', name: 'ISO-8859-15 (Latin-9)', note: null },
];
