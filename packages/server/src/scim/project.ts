// attributes / excludedAttributes (RFC 7644 §3.4.2.5) and sorting (§3.4.2.3).
import { badRequest } from './errors.ts';
import { container, getKey, lc, parseAttrPath, type AttrPath, type Json } from './filter.ts';
import { keyOf } from './patch.ts';
import { ALWAYS } from './schemas.ts';

export function parseAttrList(raw: unknown, extensions: string[]): AttrPath[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw !== 'string')
    throw badRequest('invalidValue', 'attribute lists are comma-separated strings');
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const ext = extensions.find((u) => lc(u) === lc(s));
      if (ext) return { schema: ext, attr: '*' };
      return parseAttrPath(s, 'invalidValue');
    });
}

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function holderKey(res: Json, p: AttrPath, core: string): string | null {
  if (!p.schema || lc(p.schema) === lc(core)) return null;
  return keyOf(res, p.schema);
}

export function project(res: Json, include: AttrPath[], exclude: AttrPath[], core: string): Json {
  let out: Json;
  if (include.length) {
    out = {};
    for (const k of Object.keys(res)) if (ALWAYS.has(lc(k))) out[k] = res[k];
    for (const p of include) {
      const hk = holderKey(res, p, core);
      const src = container(res, p, core);
      if (!isObj(src)) continue;
      let dst = out;
      if (hk) {
        if (p.attr === '*') {
          out[hk] = src;
          continue;
        }
        dst = isObj(out[hk]) ? (out[hk] as Json) : (out[hk] = {});
      }
      const k = keyOf(src, p.attr);
      const v = src[k];
      if (v === undefined) continue;
      if (!p.sub) dst[k] = v;
      else if (Array.isArray(v)) {
        const prev = Array.isArray(dst[k]) ? (dst[k] as Json[]) : v.map(() => ({}));
        dst[k] = v.map((el, i) => {
          const o: Json = { ...(prev[i] ?? {}) };
          const sv = getKey(el, p.sub!);
          if (sv !== undefined) o[keyOf(el as Json, p.sub!)] = sv;
          return o;
        });
      } else if (isObj(v)) {
        const o = isObj(dst[k]) ? (dst[k] as Json) : (dst[k] = {});
        const sv = getKey(v, p.sub);
        if (sv !== undefined) o[keyOf(v, p.sub)] = sv;
      }
    }
    const schemas = out.schemas;
    if (Array.isArray(schemas))
      out.schemas = schemas.filter((s) => s === core || out[s] !== undefined);
  } else out = structuredClone(res);
  for (const p of exclude) {
    if (!p.schema && ALWAYS.has(lc(p.attr)) && !p.sub) continue;
    const hk = holderKey(out, p, core);
    if (hk && p.attr === '*') {
      delete out[hk];
      continue;
    }
    const src = hk ? out[hk] : out;
    if (!isObj(src)) continue;
    const k = keyOf(src, p.attr);
    if (!p.sub) delete src[k];
    else {
      const v = src[k];
      for (const el of Array.isArray(v) ? v : [v]) if (isObj(el)) delete el[keyOf(el, p.sub)];
    }
  }
  return out;
}

/** The value a resource sorts by (for multi-valued attributes: the primary or first). */
function sortValue(res: Json, p: AttrPath, core: string): unknown {
  let v = getKey(container(res, p, core), p.attr);
  if (Array.isArray(v)) v = v.find((x) => getKey(x, 'primary') === true) ?? v[0];
  if (p.sub || (v && typeof v === 'object')) v = getKey(v, p.sub ?? 'value');
  return v;
}

export function sortResources(
  list: Json[],
  by: AttrPath,
  descending: boolean,
  core: string,
): Json[] {
  const keyed = list.map((r) => {
    const v = sortValue(r, by, core);
    return { r, v: typeof v === 'string' ? lc(v) : v };
  });
  keyed.sort((a, b) => {
    // resources without a value sort last whatever the order (RFC 7644 §3.4.2.3)
    if (a.v === undefined || a.v === null) return b.v === undefined || b.v === null ? 0 : 1;
    if (b.v === undefined || b.v === null) return -1;
    const c =
      (a.v as string | number) < (b.v as string | number)
        ? -1
        : (a.v as string | number) > (b.v as string | number)
          ? 1
          : 0;
    return descending ? -c : c;
  });
  return keyed.map((k) => k.r);
}
