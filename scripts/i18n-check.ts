/**
 * The catalog check run by `npm test` (test/unit/i18n-catalogs.test.ts): every language has every
 * English key and no other, every message parses, keeps the English message's parameters (same
 * names, same kinds), and has a plural branch for each form the language uses for counts.
 */
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { messageParams } from './i18n-keys';

/** The plural forms a language uses for whole counts (ru: one, few, many, other; en: one, other). */
export function countForms(locale: string): Set<string> {
  const rules = new Intl.PluralRules(locale);
  const forms = new Set<string>(['other']);
  for (let n = 0; n <= 200; n++) forms.add(rules.select(n));
  return forms;
}

function pluralProblems(elements: MessageFormatElement[], forms: Set<string>, out: string[]): void {
  for (const el of elements) {
    if (el.type === TYPE.plural) {
      const have = new Set(Object.keys(el.options));
      const missing = [...forms].filter((f) => !have.has(f));
      if (missing.length > 0) out.push(`plural {${el.value}} lacks ${missing.join(', ')}`);
      for (const o of Object.values(el.options)) pluralProblems(o.value, forms, out);
    } else if (el.type === TYPE.select) {
      for (const o of Object.values(el.options)) pluralProblems(o.value, forms, out);
    } else if (el.type === TYPE.tag) {
      pluralProblems(el.children, forms, out);
    }
  }
}

function describe(params: Map<string, string>): string {
  return [...params].sort(([a], [b]) => a.localeCompare(b)).map(([n, t]) => `${n}:${t}`).join(', ') || 'none';
}

/** Every problem of `catalog` (language `locale`) measured against the English catalog. */
export function catalogProblems(english: Record<string, string>, catalog: Record<string, string>, locale: string): string[] {
  const problems: string[] = [];
  const forms = countForms(locale);
  for (const key of Object.keys(english)) {
    const text = catalog[key];
    if (typeof text !== 'string') {
      problems.push(`${key}: missing`);
      continue;
    }
    let elements: MessageFormatElement[];
    try {
      elements = parse(text, { ignoreTag: true });
    } catch (e) {
      problems.push(`${key}: does not parse (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    const want = messageParams(english[key] ?? '');
    const got = messageParams(text);
    if (describe(want) !== describe(got)) problems.push(`${key}: parameters ${describe(got)}, English has ${describe(want)}`);
    const plural: string[] = [];
    pluralProblems(elements, forms, plural);
    for (const p of plural) problems.push(`${key}: ${p}`);
  }
  for (const key of Object.keys(catalog)) if (!(key in english)) problems.push(`${key}: not in the English catalog`);
  return problems;
}

/** The option keys of every `select` in a message, by parameter name (to try each branch). */
export function selectKeys(source: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      if (el.type === TYPE.select) {
        out.set(el.value, [...new Set([...(out.get(el.value) ?? []), ...Object.keys(el.options)])]);
        for (const o of Object.values(el.options)) walk(o.value);
      } else if (el.type === TYPE.plural) {
        for (const o of Object.values(el.options)) walk(o.value);
      }
    }
  };
  walk(parse(source, { ignoreTag: true }));
  return out;
}

/** Counts that reach every plural form of the four languages (1, 2–4, 5–20, 21, 22, 0, thousands). */
export const SAMPLE_COUNTS = [0, 1, 2, 3, 4, 5, 11, 12, 21, 22, 25, 101, 111, 1000, 1001, 12345, 1000000];

/** Parameter sets that visit every branch of a message: each sample count, each select key. */
export function sampleValues(englishSource: string): Array<Record<string, string | number>> {
  const params = messageParams(englishSource);
  const selects = selectKeys(englishSource);
  const sets: Array<Record<string, string | number>> = [];
  const rounds = Math.max(SAMPLE_COUNTS.length, ...[...selects.values()].map((k) => k.length));
  for (let i = 0; i < rounds; i++) {
    const values: Record<string, string | number> = {};
    for (const [name, type] of params) {
      if (type === 'number') values[name] = SAMPLE_COUNTS[i % SAMPLE_COUNTS.length] as number;
      else if (type === 'string') {
        const keys = selects.get(name) ?? ['other'];
        values[name] = keys[i % keys.length] as string;
      } else values[name] = `‹${name}›`;
    }
    sets.push(values);
  }
  return sets;
}
