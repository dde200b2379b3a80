/**
 * A small ICU MessageFormat formatter for the subset the catalogs use: `{name}`, `{n, number}`,
 * `{n, plural, =0 {…} one {…} few {…} many {…} other {…}}` with `#`, and `{k, select, a {…} other {…}}`.
 *
 * Why not intl-messageformat at run time: its parser alone is ~40 KB of the first screen's bundle,
 * over the bundle budget (issue 12). intl-messageformat stays the reference: the catalog test
 * formats every message of every language with both and requires the same text, and refuses any
 * syntax outside this subset.
 */

type Node =
  | string
  | { kind: 'arg'; name: string }
  | { kind: 'number'; name: string }
  | { kind: 'pound' }
  | { kind: 'plural'; name: string; options: Map<string, Node[]> }
  | { kind: 'select'; name: string; options: Map<string, Node[]> };

export type Message = readonly Node[];

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at ${this.pos} in "${this.src}"`);
  }

  skipSpace(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }

  word(): string {
    this.skipSpace();
    const m = /^[=\w.-]+/.exec(this.src.slice(this.pos));
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    this.skipSpace();
    return m[0];
  }

  expect(ch: string): void {
    this.skipSpace();
    if (this.src[this.pos] !== ch) this.fail(`expected "${ch}"`);
    this.pos++;
  }

  /** Text and arguments until an unmatched `}` or the end. */
  message(inPlural: boolean): Node[] {
    const out: Node[] = [];
    let text = '';
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] as string;
      if (ch === '}') break;
      if (ch === '{') {
        if (text) out.push(text);
        text = '';
        out.push(this.argument());
      } else if (ch === '#' && inPlural) {
        if (text) out.push(text);
        text = '';
        out.push({ kind: 'pound' });
        this.pos++;
      } else {
        text += ch;
        this.pos++;
      }
    }
    if (text) out.push(text);
    return out;
  }

  argument(): Node {
    this.expect('{');
    const name = this.word();
    if (this.src[this.pos] === '}') {
      this.pos++;
      return { kind: 'arg', name };
    }
    this.expect(',');
    const type = this.word();
    if (type === 'number' && this.src[this.pos] === '}') {
      this.pos++;
      return { kind: 'number', name };
    }
    if (type !== 'plural' && type !== 'select') this.fail(`unsupported argument type "${type}"`);
    this.expect(',');
    const options = new Map<string, Node[]>();
    this.skipSpace();
    while (this.src[this.pos] !== '}') {
      const key = this.word();
      this.expect('{');
      options.set(key, this.message(type === 'plural'));
      this.expect('}');
      this.skipSpace();
      if (this.pos >= this.src.length) this.fail('unclosed argument');
    }
    this.pos++;
    if (!options.has('other')) this.fail(`"${name}" has no "other" branch`);
    return { kind: type, name, options };
  }
}

export function parseMessage(source: string): Message {
  const r = new Reader(source);
  const nodes = r.message(false);
  if (r.pos < source.length) r.fail('unmatched "}"');
  return nodes;
}

export type Values = Readonly<Record<string, unknown>>;

export interface Formatters {
  number: Intl.NumberFormat;
  plural: Intl.PluralRules;
}

export function formatters(locale: string): Formatters {
  return { number: new Intl.NumberFormat(locale), plural: new Intl.PluralRules(locale) };
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function formatMessage(message: Message, values: Values, f: Formatters, pound?: number): string {
  let out = '';
  for (const node of message) {
    if (typeof node === 'string') {
      out += node;
      continue;
    }
    switch (node.kind) {
      case 'arg':
        out += text(values[node.name]);
        break;
      case 'number':
        out += f.number.format(Number(values[node.name]));
        break;
      case 'pound':
        out += pound === undefined ? '#' : f.number.format(pound);
        break;
      case 'plural': {
        const n = Number(values[node.name]);
        const branch = node.options.get(`=${n}`) ?? node.options.get(f.plural.select(n)) ?? node.options.get('other') ?? [];
        out += formatMessage(branch, values, f, n);
        break;
      }
      case 'select': {
        const branch = node.options.get(text(values[node.name])) ?? node.options.get('other') ?? [];
        out += formatMessage(branch, values, f, pound);
        break;
      }
    }
  }
  return out;
}
