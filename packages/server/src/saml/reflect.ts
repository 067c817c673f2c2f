// A minimal Reflect metadata polyfill: @peculiar/x509 loads tsyringe, which refuses to
// start without `Reflect.getMetadata` (the reflect-metadata package is not installed).
// Import this module before @peculiar/x509.
type Target = object;
const store = new WeakMap<Target, Map<string | symbol, Map<unknown, unknown>>>();
const R = Reflect as unknown as Record<string, unknown>;

if (typeof R.getMetadata !== 'function') {
  const table = (target: Target, prop: string | symbol | undefined, create: boolean) => {
    let byProp = store.get(target);
    if (!byProp && create) store.set(target, (byProp = new Map()));
    const k = prop ?? '';
    let t = byProp?.get(k);
    if (!t && create && byProp) byProp.set(k, (t = new Map()));
    return t;
  };
  const getOwn = (key: unknown, target: Target, prop?: string | symbol) =>
    table(target, prop, false)?.get(key);
  R.defineMetadata = (key: unknown, value: unknown, target: Target, prop?: string | symbol) =>
    void table(target, prop, true)!.set(key, value);
  R.getOwnMetadata = getOwn;
  R.getMetadata = (key: unknown, target: Target, prop?: string | symbol): unknown => {
    for (let t: Target | null = target; t; t = Object.getPrototypeOf(t) as Target | null) {
      const v = getOwn(key, t, prop);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  R.hasMetadata = (key: unknown, target: Target, prop?: string | symbol) =>
    (R.getMetadata as (k: unknown, t: Target, p?: string | symbol) => unknown)(
      key,
      target,
      prop,
    ) !== undefined;
  R.metadata = (key: unknown, value: unknown) => (target: Target, prop?: string | symbol) =>
    void table(target, prop, true)!.set(key, value);
}

export {};
