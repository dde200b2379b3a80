/**
 * The encodings offered in the batch screen's picker, declared once where both sides see it: the
 * renderer shows them, and a core test checks the decoder accepts every one (it accepts more).
 */
export const ENCODING_CHOICES: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'utf-8', label: 'UTF-8 (most files)' },
  { value: 'windows-1251', label: 'Windows-1251 (Russian Excel)' },
  { value: 'windows-1252', label: 'Windows-1252 (Western European Excel)' },
  { value: 'utf-16le', label: 'UTF-16 LE (Excel “Unicode Text”)' },
  { value: 'utf-16be', label: 'UTF-16 BE' },
  { value: 'koi8-r', label: 'KOI8-R (Russian)' },
  { value: 'ibm866', label: 'CP866 (Russian DOS)' },
  { value: 'iso-8859-5', label: 'ISO-8859-5 (Cyrillic)' },
  { value: 'windows-1250', label: 'Windows-1250 (Central European)' },
  { value: 'windows-1253', label: 'Windows-1253 (Greek)' },
  { value: 'windows-1254', label: 'Windows-1254 (Turkish)' },
  { value: 'windows-1257', label: 'Windows-1257 (Baltic)' },
  { value: 'iso-8859-1', label: 'ISO-8859-1 (Latin-1)' },
  { value: 'iso-8859-2', label: 'ISO-8859-2 (Latin-2)' },
  { value: 'iso-8859-15', label: 'ISO-8859-15 (Latin-9)' },
];
