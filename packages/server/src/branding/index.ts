// Branding of an instance's hosted pages (issue 7): a primary colour (buttons with white
// text, links), a background colour, and an optional logo. Colours are refused unless every
// pairing the pages use passes WCAG 2.2 AA (text 4.5:1, the focus ring 3:1); the logo is a
// PNG or JPEG data URL (SVG is refused: it can carry script), size-capped and checked by
// its magic bytes. Pages read the branding from `ctx.state.branding`, set by the middleware
// below from a short-lived per-slug cache.
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { AppError, type Branding, type Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';

const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const DEFAULT_PRIMARY = '#0b5cad';
export const DEFAULT_BACKGROUND = '#f3f4f6';
/** Colours of the page layout the branding must contrast with (see pages/render.ts). */
export const TEXT_ON_PRIMARY = '#ffffff';
export const CARD = '#ffffff';
export const FOOTER_TEXT = '#57606a';
export const FOCUS_RING = '#bf4800';
/** Largest logo, decoded. */
export const LOGO_MAX_BYTES = 64 * 1024;
const CACHE_MS = 2000;

const hex = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #rrggbb')
  .transform((s) => s.toLowerCase());

export const brandingInput = z.strictObject({
  primary_color: hex.meta({ description: 'Buttons (white text on it) and links, `#rrggbb`' }),
  background_color: hex.meta({ description: 'Page background around the card, `#rrggbb`' }),
  logo: z
    .string()
    .max(Math.ceil((LOGO_MAX_BYTES * 4) / 3) + 40)
    .nullable()
    .optional()
    .meta({
      description: `A data:image/png;base64 or data:image/jpeg;base64 URL, at most ${LOGO_MAX_BYTES} bytes decoded; null removes it`,
    }),
});
export type BrandingInput = z.output<typeof brandingInput>;

function luminance(colour: string): number {
  const n = Number.parseInt(colour.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * ch[0]! + 0.7152 * ch[1]! + 0.0722 * ch[2]!;
}

/** WCAG 2.x contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (l1 + 0.05) / (l2 + 0.05);
}

export interface ContrastCheck {
  field: 'primary_color' | 'background_color';
  pair: string;
  ratio: number;
  minimum: number;
}

/** Every colour pairing the hosted pages use, with its ratio and the AA minimum. */
export function contrastChecks(primary: string, background: string): ContrastCheck[] {
  const r = (a: string, b: string) => Math.floor(contrast(a, b) * 100) / 100;
  return [
    {
      field: 'primary_color',
      pair: 'white button text on the primary colour',
      ratio: r(TEXT_ON_PRIMARY, primary),
      minimum: 4.5,
    },
    {
      field: 'primary_color',
      pair: 'primary-coloured links on the white card',
      ratio: r(primary, CARD),
      minimum: 4.5,
    },
    {
      field: 'background_color',
      pair: 'footer text on the background',
      ratio: r(FOOTER_TEXT, background),
      minimum: 4.5,
    },
    {
      field: 'background_color',
      pair: 'primary-coloured links on the background',
      ratio: r(primary, background),
      minimum: 4.5,
    },
    {
      field: 'background_color',
      pair: 'the focus ring on the background',
      ratio: r(FOCUS_RING, background),
      minimum: 3,
    },
  ];
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** Checks a logo data URL; returns the normalised URL or throws naming `logo`. */
export function checkLogo(logo: string): string {
  const bad = (message: string) =>
    new AppError('validation_failed', `logo: ${message}`, { issues: [{ field: 'logo', message }] });
  const m = /^data:image\/(png|jpeg);base64,([A-Za-z0-9+/]+={0,2})$/.exec(logo);
  if (!m)
    throw bad(
      'must be a data:image/png;base64 or data:image/jpeg;base64 URL (SVG is not accepted)',
    );
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length === 0) throw bad('is empty');
  if (bytes.length > LOGO_MAX_BYTES) throw bad(`is larger than ${LOGO_MAX_BYTES} bytes`);
  const magic = m[1] === 'png' ? PNG : JPEG;
  if (!bytes.subarray(0, magic.length).equals(magic))
    throw bad(`is not a ${m[1] === 'png' ? 'PNG' : 'JPEG'} image`);
  return `data:image/${m[1]};base64,${bytes.toString('base64')}`;
}

/** Validates colours (AA contrast) and logo; throws a 400 naming every failing field. */
export function checkBranding(input: BrandingInput): { logo: string | null } {
  const issues = contrastChecks(input.primary_color, input.background_color)
    .filter((c) => c.ratio < c.minimum)
    .map((c) => ({
      field: c.field,
      message: `${c.pair} has contrast ${c.ratio.toFixed(2)}:1; WCAG AA needs ${c.minimum}:1`,
    }));
  if (issues.length)
    throw new AppError('validation_failed', `${issues[0]!.field}: ${issues[0]!.message}`, {
      issues,
    });
  return { logo: input.logo ? checkLogo(input.logo) : null };
}

/** What a page needs to apply a branding (set on ctx.state.branding). */
export interface PageBranding {
  css: string;
  logo: string | null;
  logoAlt: string;
}

export function pageBranding(
  b: Pick<Branding, 'primaryColor' | 'backgroundColor' | 'logo'>,
  alt: string,
): PageBranding {
  const p = b.primaryColor;
  const bg = b.backgroundColor;
  // values were validated as #rrggbb: nothing else can reach the style sheet
  if (!/^#[0-9a-f]{6}$/i.test(p) || !/^#[0-9a-f]{6}$/i.test(bg))
    throw new AppError('internal', 'stored branding colour is malformed');
  return {
    css: `body{background:${bg}}button{background:${p};border-color:${p}}button.secondary{background:#fff;color:${p}}a,nav a{color:${p}}.brand-logo{display:block;max-height:3rem;max-width:100%;margin:0 0 1rem}`,
    logo: b.logo,
    logoAlt: alt,
  };
}

/** The logo markup a page puts at the top of its card (empty without a logo). */
export function logoHtml(b: PageBranding | undefined): string {
  if (!b?.logo) return '';
  return `<img class="brand-logo" src="${esc(b.logo)}" alt="${esc(b.logoAlt)}">`;
}

/** Paths whose responses are not pages (protocol endpoints, APIs): no branding lookup. */
const NOT_PAGES =
  /^\/(?:token|jwks|userinfo|me|token\/introspection|token\/revocation|\.well-known\/.*|scim\/.*|api\/.*|reg|backchannel|saml\/metadata)$/;

/** Sets ctx.state.branding for hosted pages of instances that have one (cached ~2 s per slug). */
export function brandingMiddleware(sctx: ServerContext): Middleware {
  const cache = new Map<string, { at: number; value: PageBranding | null }>();
  return async (ctx, next) => {
    const m = /^\/i\/([a-z0-9][a-z0-9-]{0,62})(\/.*)?$/.exec(ctx.path);
    if (!m || NOT_PAGES.test(m[2] ?? '/')) return next();
    const slug = m[1]!;
    const now = performance.now();
    let hit = cache.get(slug);
    if (!hit || now - hit.at > CACHE_MS) {
      const instance = await sctx.store.repos.instances.getBySlug(slug);
      const b = instance ? await sctx.store.repos.branding.get(instance.id) : null;
      hit = { at: now, value: b && instance ? pageBranding(b, altOf(instance)) : null };
      if (cache.size > 10_000) cache.clear();
      cache.set(slug, hit);
    }
    if (hit.value) ctx.state.branding = hit.value;
    return next();
  };
}

const altOf = (i: Instance) => i.displayName || i.slug;

/** The branding in force: the instance's own or the defaults. */
export async function brandingOf(
  sctx: ServerContext,
  instance: Instance,
): Promise<{
  primary_color: string;
  background_color: string;
  logo: string | null;
  custom: boolean;
  updated_at: string | null;
}> {
  const b = await sctx.store.repos.branding.get(instance.id);
  return {
    primary_color: b?.primaryColor ?? DEFAULT_PRIMARY,
    background_color: b?.backgroundColor ?? DEFAULT_BACKGROUND,
    logo: b?.logo ?? null,
    custom: b !== null,
    updated_at: b?.updatedAt.toISOString() ?? null,
  };
}

export function previewState(ctx: Context, input: BrandingInput, instance: Instance): void {
  const { logo } = checkBranding(input);
  ctx.state.branding = pageBranding(
    { primaryColor: input.primary_color, backgroundColor: input.background_color, logo },
    altOf(instance),
  );
}
