// The SCIM filter language (RFC 7644 §3.4.2.2): a tokenizer and a recursive-descent
// parser to an AST, a printer (parse ∘ print is the identity on ASTs) and an evaluator
// over SCIM resources as JSON. Precedence: or < and < not / atoms; grouping with ( ).
//
//   FILTER   = orExp
//   orExp    = andExp *("or" andExp)
//   andExp   = unary *("and" unary)
//   unary    = "not" "(" FILTER ")" / "(" FILTER ")" / attrExp / valuePath
//   attrExp  = attrPath "pr" / attrPath compareOp compValue
//   valuePath= attrPath "[" FILTER "]" ["." subAttr]   (sub-attribute only in PATCH paths)
//   compValue= "true" / "false" / "null" / number / JSON string
import { badRequest } from './errors.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Value = string | number | boolean | null;

/** An attribute path: optional schema URN, attribute, optional sub-attribute. */
export interface AttrPath {
  schema?: string;
  attr: string;
  sub?: string;
}

export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  | { op: 'pr'; path: AttrPath }
  | { op: CompareOp; path: AttrPath; value: Value }
  | { op: '[]'; path: AttrPath; filter: Filter };

const COMPARE = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const MAX_LENGTH = 4096;
const MAX_DEPTH = 64;

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: number; at: number }
  | { t: '(' | ')' | '[' | ']'; at: number }
  | { t: 'end'; at: number };

const fail = (detail: string) => badRequest('invalidFilter', detail);

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c, at: i });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw fail(`unterminated string at ${i}`);
      let v: unknown;
      try {
        v = JSON.parse(src.slice(i, j + 1));
      } catch {
        throw fail(`bad string at ${i}`);
      }
      out.push({ t: 'string', v: v as string, at: i });
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      if (!m) throw fail(`bad number at ${i}`);
      out.push({ t: 'number', v: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c) || (c === '.' && out[out.length - 1]?.t === ']')) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_$:.-]/.test(src[j]!)) j++;
      out.push({ t: 'word', v: src.slice(i, j), at: i });
      i = j;
    } else {
      throw fail(`unexpected character ${JSON.stringify(c)} at ${i}`);
    }
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

const ATTR = /^[A-Za-z$][A-Za-z0-9_$-]*$/;

/** Parses `[urn:…:]attr[.sub]`; a URN's attribute follows its last colon. */
export function parseAttrPath(
  word: string,
  kind: 'invalidFilter' | 'invalidPath' | 'invalidValue' = 'invalidFilter',
): AttrPath {
  let schema: string | undefined;
  let rest = word;
  if (/^urn:/i.test(word)) {
    const k = word.lastIndexOf(':');
    schema = word.slice(0, k);
    rest = word.slice(k + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR.test(p)))
    throw badRequest(kind, `bad attribute path ${JSON.stringify(word)}`);
  return {
    ...(schema ? { schema } : {}),
    attr: parts[0]!,
    ...(parts[1] ? { sub: parts[1] } : {}),
  };
}

class Parser {
  readonly toks: Token[];
  pos = 0;
  depth = 0;
  constructor(toks: Token[]) {
    this.toks = toks;
  }
  peek(): Token {
    return this.toks[this.pos]!;
  }
  next(): Token {
    return this.toks[this.pos++]!;
  }
  keyword(k: string): boolean {
    const t = this.peek();
    return t.t === 'word' && t.v.toLowerCase() === k;
  }
  expect(t: Token['t']): Token {
    const tok = this.next();
    if (tok.t !== t) throw fail(`expected ${t} at ${tok.at}`);
    return tok;
  }
  filter(): Filter {
    if (++this.depth > MAX_DEPTH) throw fail('filter nested too deeply');
    let left = this.and();
    while (this.keyword('or')) {
      this.next();
      left = { op: 'or', left, right: this.and() };
    }
    this.depth--;
    return left;
  }
  and(): Filter {
    let left = this.unary();
    while (this.keyword('and')) {
      this.next();
      left = { op: 'and', left, right: this.unary() };
    }
    return left;
  }
  unary(): Filter {
    const t = this.peek();
    if (t.t === '(') {
      this.next();
      const f = this.filter();
      this.expect(')');
      return f;
    }
    if (this.keyword('not')) {
      const after = this.toks[this.pos + 1];
      if (after?.t === '(') {
        this.next();
        this.next();
        const f = this.filter();
        this.expect(')');
        return { op: 'not', filter: f };
      }
    }
    if (t.t !== 'word') throw fail(`expected an attribute at ${t.at}`);
    this.next();
    const path = parseAttrPath(t.v);
    if (this.peek().t === '[') {
      if (path.sub) throw fail(`a value filter applies to a multi-valued attribute, at ${t.at}`);
      this.next();
      if (++this.depth > MAX_DEPTH) throw fail('filter nested too deeply');
      const inner = this.filter();
      this.depth--;
      this.expect(']');
      const after = this.peek();
      if (after.t === 'word' && after.v.startsWith('.')) {
        // emails[type eq "work"].value co "x": the element matches both
        this.next();
        const sub = after.v.slice(1);
        if (!ATTR.test(sub)) throw fail(`bad sub-attribute at ${after.at}`);
        const cmp = this.comparison({ attr: sub });
        return { op: '[]', path, filter: { op: 'and', left: inner, right: cmp } };
      }
      return { op: '[]', path, filter: inner };
    }
    return this.comparison(path);
  }
  comparison(path: AttrPath): Filter {
    const opTok = this.next();
    if (opTok.t !== 'word') throw fail(`expected an operator at ${opTok.at}`);
    const op = opTok.v.toLowerCase();
    if (op === 'pr') return { op: 'pr', path };
    if (!COMPARE.has(op)) throw fail(`unknown operator ${JSON.stringify(opTok.v)} at ${opTok.at}`);
    const v = this.next();
    let value: Value;
    if (v.t === 'string' || v.t === 'number') value = v.v;
    else if (v.t === 'word' && ['true', 'false', 'null'].includes(v.v.toLowerCase()))
      value = v.v.toLowerCase() === 'null' ? null : v.v.toLowerCase() === 'true';
    else throw fail(`expected a value at ${v.at}`);
    if (value === null && op !== 'eq' && op !== 'ne')
      throw fail(`null compares only with eq and ne`);
    if (typeof value === 'boolean' && op !== 'eq' && op !== 'ne')
      throw fail(`booleans compare only with eq and ne`);
    return { op: op as CompareOp, path, value };
  }
}

export function parseFilter(src: string): Filter {
  if (typeof src !== 'string' || !src.trim()) throw fail('empty filter');
  if (src.length > MAX_LENGTH) throw fail('filter too long');
  const p = new Parser(tokenize(src));
  const f = p.filter();
  const end = p.peek();
  if (end.t !== 'end') throw fail(`unexpected input at ${end.at}`);
  return f;
}

export function printPath(p: AttrPath): string {
  return `${p.schema ? `${p.schema}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;
}

export function printFilter(f: Filter): string {
  switch (f.op) {
    case 'and':
    case 'or':
      return `(${printFilter(f.left)} ${f.op} ${printFilter(f.right)})`;
    case 'not':
      return `not (${printFilter(f.filter)})`;
    case 'pr':
      return `${printPath(f.path)} pr`;
    case '[]':
      return `${printPath(f.path)}[${printFilter(f.filter)}]`;
    default:
      return `${printPath(f.path)} ${f.op} ${JSON.stringify(f.value)}`;
  }
}

// ---- evaluation over JSON resources

export type Json = Record<string, unknown>;

/** Case-exact attributes (the rest compare case-insensitively, RFC 7643 §2.2). */
const CASE_EXACT = new Set(['id', 'externalid', 'meta.version', 'meta.location', 'password']);

export const lc = (s: string): string => s.toLowerCase();

/** Looks a key up case-insensitively. */
export function getKey(o: unknown, key: string): unknown {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const k = lc(key);
  for (const [name, v] of Object.entries(o)) if (lc(name) === k) return v;
  return undefined;
}

/** The container an attribute path names inside a resource (the resource or an extension). */
export function container(resource: Json, path: AttrPath, coreSchema: string): unknown {
  if (!path.schema || lc(path.schema) === lc(coreSchema)) return resource;
  return getKey(resource, path.schema);
}

function values(node: unknown, path: AttrPath, coreSchema: string): unknown[] {
  const top = getKey(container(node as Json, path, coreSchema), path.attr);
  const arr = top === undefined ? [] : Array.isArray(top) ? top : [top];
  if (!path.sub) return arr.map((v) => (v && typeof v === 'object' ? getKey(v, 'value') : v));
  return arr.map((v) => getKey(v, path.sub!));
}

const present = (v: unknown): boolean =>
  v !== undefined &&
  v !== null &&
  !(typeof v === 'string' && v === '') &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

function compare(op: CompareOp, actual: unknown, expected: Value, caseExact: boolean): boolean {
  if (expected === null) return op === 'eq' ? !present(actual) : present(actual);
  if (actual === undefined || actual === null) return op === 'ne';
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    const eq = actual === expected;
    return op === 'eq' ? eq : op === 'ne' ? !eq : false;
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    switch (op) {
      case 'eq':
        return actual === expected;
      case 'ne':
        return actual !== expected;
      case 'gt':
        return actual > expected;
      case 'ge':
        return actual >= expected;
      case 'lt':
        return actual < expected;
      case 'le':
        return actual <= expected;
      default: {
        const a = String(actual);
        const e = String(expected);
        return op === 'co' ? a.includes(e) : op === 'sw' ? a.startsWith(e) : a.endsWith(e);
      }
    }
  }
  let a = String(actual);
  let e = String(expected);
  if (!caseExact) {
    a = lc(a);
    e = lc(e);
  }
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}

/** Does `resource` match `f`? Multi-valued attributes match when any value does. */
export function matches(f: Filter, resource: unknown, coreSchema: string): boolean {
  switch (f.op) {
    case 'and':
      return matches(f.left, resource, coreSchema) && matches(f.right, resource, coreSchema);
    case 'or':
      return matches(f.left, resource, coreSchema) || matches(f.right, resource, coreSchema);
    case 'not':
      return !matches(f.filter, resource, coreSchema);
    case 'pr':
      return values(resource, f.path, coreSchema).some(present);
    case '[]': {
      const top = getKey(container(resource as Json, f.path, coreSchema), f.path.attr);
      const arr = top === undefined ? [] : Array.isArray(top) ? top : [top];
      return arr.some((el) => matches(f.filter, el, coreSchema));
    }
    default: {
      const vals = values(resource, f.path, coreSchema);
      const name = lc(`${f.path.attr}${f.path.sub ? `.${f.path.sub}` : ''}`);
      const exact = CASE_EXACT.has(name);
      if (f.op === 'ne') return !vals.some((v) => compare('eq', v, f.value, exact));
      if (f.value === null && f.op === 'eq') return !vals.some(present);
      return vals.some((v) => compare(f.op as CompareOp, v, f.value, exact));
    }
  }
}

/**
 * Push-down: an exact lookup the store can answer from its indexes (id, externalId,
 * userName, emails.value), found at the top of the filter or on one side of an `and`.
 * The whole filter is still evaluated over the candidates it returns.
 */
export type Pushdown = { key: 'id' | 'externalId' | 'userName' | 'email'; value: string };
export function pushdown(f: Filter, coreSchema: string): Pushdown | null {
  if (f.op === 'and') return pushdown(f.left, coreSchema) ?? pushdown(f.right, coreSchema);
  if (f.op !== 'eq' || typeof f.value !== 'string') return null;
  if (f.path.schema && lc(f.path.schema) !== lc(coreSchema)) return null;
  const name = lc(`${f.path.attr}${f.path.sub ? `.${f.path.sub}` : ''}`);
  if (name === 'id') return { key: 'id', value: f.value };
  if (name === 'externalid') return { key: 'externalId', value: f.value };
  if (name === 'username') return { key: 'userName', value: f.value };
  if (name === 'emails.value' || name === 'emails') return { key: 'email', value: f.value };
  return null;
}
