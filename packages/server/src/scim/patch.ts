// The PATCH engine (RFC 7644 §3.5.2): add / replace / remove, with attribute paths,
// sub-attributes, extension URNs and value-path filters (`emails[type eq "work"].value`).
// It works on a deep copy of the resource's JSON; the caller validates and writes the
// result as a whole (all operations or none).
import { badRequest } from './errors.ts';
import {
  container,
  getKey,
  lc,
  matches,
  parseAttrPath,
  parseFilter,
  type AttrPath,
  type Filter,
  type Json,
} from './filter.ts';

export interface PatchPath {
  path: AttrPath;
  filter?: Filter;
  /** The sub-attribute after a value filter: `emails[type eq "work"].value`. */
  valueSub?: string;
}

export function parsePatchPath(src: string): PatchPath {
  if (typeof src !== 'string' || !src.trim()) throw badRequest('invalidPath', 'empty path');
  const s = src.trim();
  const open = s.indexOf('[');
  if (open < 0) return { path: parseAttrPath(s, 'invalidPath') };
  // find the matching "]" outside strings
  let close = -1;
  let inStr = false;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === ']') {
      close = i;
      break;
    }
  }
  if (close < 0) throw badRequest('invalidPath', `unbalanced "[" in path ${JSON.stringify(src)}`);
  const path = parseAttrPath(s.slice(0, open), 'invalidPath');
  if (path.sub) throw badRequest('invalidPath', `bad path ${JSON.stringify(src)}`);
  let filter: Filter;
  try {
    filter = parseFilter(s.slice(open + 1, close));
  } catch (e) {
    throw badRequest('invalidPath', `bad value filter in path: ${(e as Error).message}`);
  }
  const rest = s.slice(close + 1);
  if (rest && !/^\.[A-Za-z$][A-Za-z0-9_$-]*$/.test(rest))
    throw badRequest('invalidPath', `bad path ${JSON.stringify(src)}`);
  return { path, filter, ...(rest ? { valueSub: rest.slice(1) } : {}) };
}

export function keyOf(o: Json, name: string): string {
  const k = lc(name);
  return Object.keys(o).find((x) => lc(x) === k) ?? name;
}
export function setKey(o: Json, name: string, v: unknown): void {
  o[keyOf(o, name)] = v;
}
export function delKey(o: Json, name: string): void {
  delete o[keyOf(o, name)];
}
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

export interface PatchSchema {
  core: string;
  extensions: string[];
  multiValued: Set<string>;
  readOnly: Set<string>;
}

function clearOtherPrimaries(arr: unknown[], keep: unknown[]): void {
  if (!keep.some((x) => isObj(x) && getKey(x, 'primary') === true)) return;
  for (const x of arr)
    if (isObj(x) && !keep.includes(x) && getKey(x, 'primary') === true) setKey(x, 'primary', false);
}

function merge(target: Json, value: Json): void {
  for (const [k, v] of Object.entries(value)) setKey(target, k, v);
}

function addMulti(arr: unknown[], value: unknown): unknown[] {
  const items = Array.isArray(value) ? value : [value];
  const out = [...arr];
  for (const it of items) {
    const v = isObj(it) ? getKey(it, 'value') : it;
    const dup = out.findIndex((x) => (isObj(x) ? getKey(x, 'value') : x) === v && v !== undefined);
    if (dup >= 0) out[dup] = it;
    else out.push(it);
  }
  clearOtherPrimaries(out, items);
  return out;
}

/** Applies one operation to `res` (mutated). */
export function applyOperation(res: Json, schema: PatchSchema, raw: unknown): void {
  if (!isObj(raw)) throw badRequest('invalidSyntax', 'an operation must be an object');
  const opRaw = getKey(raw, 'op');
  const op = typeof opRaw === 'string' ? lc(opRaw) : '';
  if (op !== 'add' && op !== 'replace' && op !== 'remove')
    throw badRequest('invalidSyntax', `unknown op ${JSON.stringify(opRaw)}`);
  const pathRaw = getKey(raw, 'path');
  const value = getKey(raw, 'value');
  if (pathRaw === undefined || pathRaw === null) {
    if (op === 'remove') throw badRequest('noTarget', 'remove needs a path');
    if (!isObj(value))
      throw badRequest('invalidValue', `${op} without a path needs an object value`);
    for (const [k, v] of Object.entries(value)) {
      if (schema.extensions.some((u) => lc(u) === lc(k)) && isObj(v)) {
        for (const [ek, ev] of Object.entries(v))
          applyOperation(res, schema, { op, path: `${k}:${ek}`, value: ev });
      } else if (lc(k) !== 'schemas') applyOperation(res, schema, { op, path: k, value: v });
    }
    return;
  }
  if (typeof pathRaw !== 'string') throw badRequest('invalidPath', 'path must be a string');
  const pp = parsePatchPath(pathRaw);
  const { path } = pp;
  const known =
    !path.schema || [schema.core, ...schema.extensions].some((u) => lc(u) === lc(path.schema!));
  if (!known) throw badRequest('invalidPath', `unknown schema ${path.schema}`);
  if ((!path.schema || lc(path.schema) === lc(schema.core)) && schema.readOnly.has(lc(path.attr)))
    throw badRequest('mutability', `${path.attr} is read-only`);
  if (op !== 'remove' && value === undefined)
    throw badRequest('invalidValue', `${op} needs a value`);

  let ct = container(res, path, schema.core);
  if (!isObj(ct)) {
    if (op === 'remove') return;
    ct = {};
    setKey(res, path.schema!, ct);
  }
  const holder = ct as Json;
  const multi = schema.multiValued.has(lc(path.attr));
  const cur = getKey(holder, path.attr);

  if (pp.filter) {
    if (!multi) throw badRequest('invalidPath', `${path.attr} is not multi-valued`);
    const arr = Array.isArray(cur) ? [...cur] : [];
    const hit = arr.filter((el) => matches(pp.filter!, el, schema.core));
    if (!hit.length) {
      if (op === 'add' && pp.valueSub)
        throw badRequest('noTarget', `no value of ${path.attr} matches the filter`);
      if (op !== 'add') throw badRequest('noTarget', `no value of ${path.attr} matches the filter`);
    }
    if (op === 'remove') {
      if (pp.valueSub) {
        for (const el of hit) if (isObj(el)) delKey(el, pp.valueSub);
        setKey(holder, path.attr, arr);
        return;
      }
      const left = arr.filter((el) => !hit.includes(el));
      if (left.length) setKey(holder, path.attr, left);
      else delKey(holder, path.attr);
      return;
    }
    if (pp.valueSub) {
      for (const el of hit) if (isObj(el)) setKey(el, pp.valueSub, value);
      if (lc(pp.valueSub) === 'primary' && value === true) clearOtherPrimaries(arr, hit);
    } else {
      if (!isObj(value)) throw badRequest('invalidValue', `${path.attr}[…] needs an object value`);
      if (op === 'add' && !hit.length) arr.push(value);
      for (const el of hit) {
        if (!isObj(el)) continue;
        if (op === 'replace') for (const k of Object.keys(el)) delete el[k];
        merge(el, value);
      }
      clearOtherPrimaries(arr, hit.length ? hit : [value]);
    }
    setKey(holder, path.attr, arr);
    return;
  }

  if (path.sub) {
    if (multi) {
      const arr = Array.isArray(cur) ? cur : [];
      if (!arr.length && op !== 'add') {
        if (op === 'remove') return;
      }
      for (const el of arr) {
        if (!isObj(el)) continue;
        if (op === 'remove') delKey(el, path.sub);
        else setKey(el, path.sub, value);
      }
      return;
    }
    if (op === 'remove') {
      if (isObj(cur)) {
        delKey(cur, path.sub);
        if (!Object.keys(cur).length) delKey(holder, path.attr);
      }
      return;
    }
    const obj = isObj(cur) ? cur : {};
    setKey(obj, path.sub, value);
    setKey(holder, path.attr, obj);
    return;
  }

  if (op === 'remove') {
    if (multi && value !== undefined && value !== null) {
      // Azure AD style: remove only the listed values ({"path": "members", "value": [{"value": id}]})
      const gone = (Array.isArray(value) ? value : [value]).map((v) =>
        isObj(v) ? getKey(v, 'value') : v,
      );
      const left = (Array.isArray(cur) ? cur : []).filter(
        (el) => !gone.includes(isObj(el) ? getKey(el, 'value') : el),
      );
      if (left.length) setKey(holder, path.attr, left);
      else delKey(holder, path.attr);
      return;
    }
    delKey(holder, path.attr);
    return;
  }
  if (multi) {
    const arr = Array.isArray(cur) ? cur : [];
    const next = op === 'add' ? addMulti(arr, value) : addMulti([], value);
    setKey(holder, path.attr, next);
    return;
  }
  if (isObj(value) && isObj(cur)) {
    if (op === 'add') merge(cur, value);
    else setKey(holder, path.attr, { ...value });
    return;
  }
  setKey(holder, path.attr, value);
}

export function applyPatch(
  res: Json,
  schema: PatchSchema,
  body: unknown,
  patchOpUrn: string,
): Json {
  if (!isObj(body)) throw badRequest('invalidSyntax', 'body must be an object');
  const schemas = getKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(patchOpUrn))
    throw badRequest('invalidSyntax', `schemas must include ${patchOpUrn}`);
  const ops = getKey(body, 'Operations');
  if (!Array.isArray(ops) || !ops.length)
    throw badRequest('invalidSyntax', 'Operations must be a non-empty array');
  const copy = structuredClone(res);
  for (const o of ops) applyOperation(copy, schema, o);
  return copy;
}
