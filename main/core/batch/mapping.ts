/**
 * Column -> field mapping: automatic guess from header names (English, Russian, Spanish and
 * Portuguese — every language the app speaks, including its own field labels), a stable header
 * signature under which the store remembers a manual mapping, and a usability check.
 * A mapping is a plain object `{ field: columnIndex }` (0-based), easy to persist as JSON.
 */
import { BATCH_FIELDS, type BatchField } from '../../../preload/contract';
import { msg, type Msg } from '../../../common/i18n/translate';

export const FIELDS = BATCH_FIELDS;
export type Field = BatchField;
export type ColumnMapping = Partial<Record<Field, number>>;

/**
 * Lower-case, trimmed, `ё`→`е`, punctuation and underscores as spaces, parenthesised notes and
 * `№`/`#` read as number, whitespace collapsed: "ID_Абонемента (код)" → "id абонемента".
 */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
    .replace(/№/g, ' номер ')
    .replace(/#/g, ' number ')
    .replace(/[*:."'«»_\-/\\]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A normalised header as it is matched (not as it is remembered): accents and the ordinal marks of
 * "n.º" off, so "Teléfono", "telefono" and "TELÉFONO" match alike ("й" becomes "и" on both sides).
 */
function matchKey(normalized: string): string {
  return normalized
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[ºª]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Exact synonyms (normalised and accent-free). */
const SYNONYMS: Record<string, Field> = {};
const add = (field: Field, names: string[]) => {
  for (const n of names) SYNONYMS[matchKey(normalizeHeader(n))] = field;
};
add('membership_id', [
  'membership_id', 'membership id', 'membershipid', 'abonement_id', 'abonement id', 'subscription id', 'pass id', 'id',
  'id абонемента', 'ид абонемента', 'идентификатор абонемента', 'абонемент id', 'абонемент',
]);
add('number', [
  'number', 'membership number', 'membership no', 'membership code', 'code', 'card number', 'no',
  'номер', 'номер абонемента', 'код', 'код абонемента', 'номер карты',
]);
add('phone', ['phone', 'phone number', 'client phone', 'mobile', 'tel', 'телефон', 'тел', 'телефон клиента', 'мобильный', 'номер телефона']);
add('service_id', ['service_id', 'service id', 'serviceid', 'category id', 'id услуги', 'ид услуги', 'услуга id', 'id категории', 'код услуги']);
add('service', ['service', 'service title', 'service name', 'category', 'услуга', 'название услуги', 'услуга категория', 'категория', 'наименование услуги']);
add('balance', [
  'balance', 'new balance', 'visits left', 'remaining', 'remaining visits', 'count', 'visits',
  'остаток', 'баланс', 'новый остаток', 'новый баланс', 'осталось', 'осталось посещений', 'остаток посещений', 'количество', 'посещений',
]);
add('delta', ['delta', 'change', 'adjustment', 'correction', 'diff', 'изменение', 'дельта', 'корректировка', 'поправка', 'разница', 'изменить на', 'начислить списать']);
add('reason', ['reason', 'comment', 'note', 'notes', 'причина', 'комментарий', 'примечание', 'основание']);
// Spanish (abono) and Brazilian Portuguese (assinatura), as front desks name the columns.
add('membership_id', [
  'id abono', 'id del abono', 'id de abono', 'abono id', 'identificador del abono', 'abono',
  'id assinatura', 'id da assinatura', 'assinatura id', 'identificador da assinatura', 'assinatura',
]);
add('number', [
  'número', 'número de abono', 'número del abono', 'n.º de abono', 'nº abono', 'código', 'código de abono', 'número de tarjeta',
  'número da assinatura', 'nº da assinatura', 'código da assinatura', 'número do cartão',
]);
add('phone', ['teléfono', 'teléfono del cliente', 'móvil', 'celular', 'telefone', 'telefone do cliente', 'tel.']);
add('service_id', ['id servicio', 'id del servicio', 'id de servicio', 'id categoría', 'id serviço', 'id do serviço', 'id da categoria']);
add('service', ['servicio', 'nombre del servicio', 'categoría', 'serviço', 'nome do serviço']);
add('balance', [
  'saldo', 'nuevo saldo', 'visitas restantes', 'restantes', 'quedan', 'visitas', 'saldo de visitas',
  'novo saldo', 'saldo de visitas', 'restam',
]);
add('delta', ['cambio', 'ajuste', 'corrección', 'diferencia', 'alteração', 'correção', 'diferença', 'mudança']);
add('reason', ['motivo', 'razón', 'comentario', 'nota', 'notas', 'observaciones', 'razão', 'comentário', 'observação', 'observações']);

/** Keyword rules for headers that are not exact synonyms, tried in order. */
const RULES: { field: Field; test: (words: string[], h: string) => boolean }[] = [
  { field: 'service_id', test: (w, h) => hasId(w) && /услуг|service|категор|category|servicio|servico|categoria/.test(h) },
  { field: 'membership_id', test: (w, h) => hasId(w) && /абонемент|membership|abonement|subscription|pass|abono|assinatura/.test(h) },
  { field: 'phone', test: (_w, h) => /телефон|phone|mobile|мобильн|telefon|movil|celular/.test(h) },
  { field: 'delta', test: (_w, h) => /изменени|дельта|delta|корректир|adjust|поправк|change|cambio|ajuste|correc|alterac|diferen/.test(h) },
  { field: 'balance', test: (_w, h) => /остат|баланс|balance|осталось|remaining|visits left|saldo|restante/.test(h) },
  { field: 'reason', test: (_w, h) => /причин|коммент|примечан|reason|comment|note|motivo|razon|razao|comentario|observac/.test(h) },
  { field: 'service', test: (_w, h) => /услуг|service|категор|category|servicio|servico|categoria/.test(h) },
  { field: 'number', test: (_w, h) => /номер|number|код|code|numero|codigo/.test(h) },
];
function hasId(words: string[]): boolean {
  return words.includes('id') || words.includes('ид') || words.includes('идентификатор') || words.includes('identificador');
}

/** The field a header names, or null. */
export function matchHeader(header: string): Field | null {
  const h = matchKey(normalizeHeader(header));
  if (h.length === 0) return null;
  const exact = SYNONYMS[h];
  if (exact !== undefined) return exact;
  const words = h.split(' ');
  for (const r of RULES) if (r.test(words, h)) return r.field;
  return null;
}

/** Best guess from header names: each field at most once (first column wins), exact names first. */
export function guessMapping(headers: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  const taken = new Set<number>();
  // Pass 1: exact synonyms; pass 2: keyword rules. Exact names win over looser ones anywhere.
  for (const exactOnly of [true, false]) {
    headers.forEach((raw, col) => {
      if (taken.has(col)) return;
      const h = matchKey(normalizeHeader(raw));
      if (h.length === 0) return;
      const f = exactOnly ? SYNONYMS[h] : matchHeader(raw);
      if (f === undefined || f === null || mapping[f] !== undefined) return;
      mapping[f] = col;
      taken.add(col);
    });
  }
  return mapping;
}

/**
 * Stable key of a header row for the mapping memory: normalised names in order (trailing empty
 * columns ignored), hashed. Same header → same signature, whatever the case, spacing or encoding.
 */
export function headerSignature(headers: readonly string[]): string {
  // A blank header counts as "column N", as it did when blank headers were named so (remembered signatures stay valid).
  const names = headers.map((h, i) => normalizeHeader(h.trim() === '' ? `column ${i + 1}` : h));
  while (names.length > 0 && (names[names.length - 1] === '' || /^column \d+$/.test(names[names.length - 1] ?? ''))) names.pop();
  return `v1:${names.length}:${hash64(names.join('\u001f'))}`;
}

/**
 * Stable key of a file's first line that holds anything (a line of only delimiters and spaces, as
 * Excel writes for an empty row, does not count), as written — before it is split into cells, so it
 * does not depend on the delimiter — trimmed and lowercased: for remembering the delimiter chosen
 * for files that start like this. null when the file has no such line.
 */
export function firstLineSignature(text: string): string | null {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const limit = Math.min(text.length, 1 << 20); // a header is not a megabyte away
  while (start < limit) {
    let end = start;
    let meaningful = false;
    while (end < text.length && end - start < 4096) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      if (c !== 32 && c !== 9 && c !== 59 && c !== 44 && c !== 0xa0) meaningful = true;
      end++;
    }
    if (meaningful) return `l2:${hash64(text.slice(start, end).trim().toLowerCase())}`;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    start = end + 1;
  }
  return null;
}

/** FNV-1a 32-bit, twice with different seeds → 64 bits of hash as hex. */
function hash64(joined: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < joined.length; i++) {
    const c = joined.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193 + 0x2);
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
  return `${hex(h1)}${hex(h2)}`;
}

export interface MappingProblem {
  code: 'no_membership_column' | 'number_without_phone' | 'phone_without_number' | 'no_operation_column' | 'column_out_of_range' | 'column_reused';
  field: Field | null;
  msg: Msg;
}

/** Why a mapping cannot be used as is (empty list = usable). Per-row checks happen in validate. */
export function checkMapping(mapping: ColumnMapping, columnCount: number, options: { numbersAlone?: boolean } = {}): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const has = (f: Field) => mapping[f] !== undefined;
  const byColumn = new Map<number, Field>();
  for (const f of FIELDS) {
    const c = mapping[f];
    if (c === undefined) continue;
    if (!Number.isInteger(c) || c < 0 || c >= columnCount) {
      problems.push({ code: 'column_out_of_range', field: f, msg: msg('batch.mapping.columnMissing', { field: f, n: c + 1 }) });
      continue;
    }
    const other = byColumn.get(c);
    if (other !== undefined) {
      problems.push({ code: 'column_reused', field: f, msg: msg('batch.mapping.columnTwice', { n: c + 1, other, field: f }) });
    } else byColumn.set(c, f);
  }
  // With the chain's index on this computer a number alone finds its membership (options.numbersAlone).
  if (!has('membership_id') && !(has('number') && (has('phone') || options.numbersAlone === true))) {
    if (has('number')) problems.push({ code: 'number_without_phone', field: 'phone', msg: msg('batch.mapping.needPhone') });
    else if (has('phone')) problems.push({ code: 'phone_without_number', field: 'number', msg: msg('batch.mapping.needNumber') });
    else problems.push({ code: 'no_membership_column', field: 'membership_id', msg: msg('batch.mapping.needMembership') });
  }
  if (!has('balance') && !has('delta')) {
    problems.push({ code: 'no_operation_column', field: 'balance', msg: msg('batch.mapping.needOperation') });
  }
  return problems;
}
