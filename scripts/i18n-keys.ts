/**
 * Generates common/i18n/keys.gen.ts from the English catalog: every key with the types of its ICU
 * parameters, so a missing key or a wrong parameter fails `tsc`. `npm run i18n:keys` rewrites the
 * file; the catalog test fails while the file is out of date.
 *   plural / selectordinal / number → number · select → string · date / time → Date | number ·
 *   a plain {name} → string | number, or a Msg (worded first, in the same language: a message inside a message)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

const root = join(import.meta.dirname, '..');
export const EN_CATALOG = join(root, 'common/i18n/catalogs/en.json');
export const KEYS_FILE = join(root, 'common/i18n/keys.gen.ts');

export type ParamType = 'number' | 'string' | 'date' | 'text';

/** The parameters of one ICU message and what each must be. */
export function messageParams(source: string): Map<string, ParamType> {
  const out = new Map<string, ParamType>();
  const put = (name: string, type: ParamType) => {
    const had = out.get(name);
    // A name used both as text and as a number is a number (plural + {count} in a branch).
    if (had === undefined || had === 'text') out.set(name, type);
  };
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      switch (el.type) {
        case TYPE.argument:
          put(el.value, 'text');
          break;
        case TYPE.number:
          put(el.value, 'number');
          break;
        case TYPE.date:
        case TYPE.time:
          put(el.value, 'date');
          break;
        case TYPE.plural:
          put(el.value, 'number');
          for (const option of Object.values(el.options)) walk(option.value);
          break;
        case TYPE.select:
          put(el.value, 'string');
          for (const option of Object.values(el.options)) walk(option.value);
          break;
        case TYPE.tag:
          walk(el.children);
          break;
        default:
          break;
      }
    }
  };
  walk(parse(source, { ignoreTag: true }));
  return out;
}

const TS_TYPE: Record<ParamType, string> = { number: 'number', string: 'string', date: 'Date | number', text: 'string | number | Msg' };

export function renderKeysModule(catalog: Record<string, string>): string {
  const lines = Object.keys(catalog)
    .sort()
    .map((key) => {
      const params = [...messageParams(catalog[key] ?? '')].sort(([a], [b]) => a.localeCompare(b));
      const body = params.length === 0 ? 'Record<never, never>' : `{ ${params.map(([name, type]) => `${name}: ${TS_TYPE[type]}`).join('; ')} }`;
      return `  ${JSON.stringify(key)}: ${body};`;
    });
  return [
    '// Generated from common/i18n/catalogs/en.json by `npm run i18n:keys`: do not edit by hand.',
    "import type { Msg } from './translate';",
    '',
    'export interface MessageParams {',
    ...lines,
    '}',
    'export type MessageKey = keyof MessageParams;',
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const catalog = JSON.parse(readFileSync(EN_CATALOG, 'utf8')) as Record<string, string>;
  writeFileSync(KEYS_FILE, renderKeysModule(catalog));
  console.log(`${Object.keys(catalog).length} keys -> common/i18n/keys.gen.ts`);
}
