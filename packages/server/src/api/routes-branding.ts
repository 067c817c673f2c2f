// Admin API: branding of an instance's hosted pages (issue 7) — colours checked for WCAG AA
// contrast against every pairing the pages use, an optional PNG/JPEG logo, and a preview
// (a sample sign-in page rendered with candidate values, nothing saved).
import { z } from 'zod';
import { requestMeta } from '../audit/index.ts';
import {
  brandingInput,
  brandingOf,
  checkBranding,
  contrastChecks,
  previewState,
} from '../branding/index.ts';
import { t } from '../i18n.ts';
import { esc, pageLocale, renderPage } from '../pages/render.ts';
import { actorOfToken } from './authorize.ts';
import { route, type AnyRoute } from './route.ts';

const P = '/instances/{slug}/branding';

const BrandingOut = z
  .object({
    primary_color: z.string(),
    background_color: z.string(),
    logo: z.string().nullable(),
    custom: z.boolean().meta({ description: 'false: the defaults apply' }),
    updated_at: z.iso.datetime().nullable(),
    contrast: z.array(
      z.object({
        field: z.enum(['primary_color', 'background_color']),
        pair: z.string(),
        ratio: z.number(),
        minimum: z.number(),
      }),
    ),
  })
  .meta({ id: 'Branding', description: 'How the hosted pages of the instance look' });

const withContrast = (b: Awaited<ReturnType<typeof brandingOf>>) => ({
  ...b,
  contrast: contrastChecks(b.primary_color, b.background_color),
});

export const brandingRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: P,
    operationId: 'getBranding',
    summary: 'The branding of the hosted pages (defaults when none is set)',
    tag: 'branding',
    permission: 'instance:read',
    response: BrandingOut,
    handler: async (call) => withContrast(await brandingOf(call.sctx, await call.instance())),
  }),
  route({
    method: 'put',
    path: P,
    operationId: 'putBranding',
    summary: 'Set the branding of the hosted pages',
    description:
      'Refused (400, naming the field) when a colour pairing fails WCAG 2.2 AA (4.5:1 for text, 3:1 for the focus ring) or the logo is not a PNG/JPEG data URL within the size cap.',
    tag: 'branding',
    permission: 'instance:write',
    body: brandingInput,
    response: BrandingOut,
    handler: async (call) => {
      const inst = await call.instance();
      const { logo } = checkBranding(call.body);
      const keepLogo = call.body.logo === undefined;
      const current = keepLogo ? await call.sctx.store.repos.branding.get(inst.id) : null;
      await call.sctx.store.repos.branding.put({
        instanceId: inst.id,
        primaryColor: call.body.primary_color,
        backgroundColor: call.body.background_color,
        logo: keepLogo ? (current?.logo ?? null) : logo,
        updatedAt: call.sctx.clock.now(),
      });
      await call.sctx.audit.record({
        instanceId: inst.id,
        actor: actorOfToken(call.admin),
        action: 'branding.update',
        target: { type: 'instance', id: inst.id },
        result: 'success',
        ...requestMeta(call.ctx),
        details: {
          primaryColor: call.body.primary_color,
          backgroundColor: call.body.background_color,
          logo: keepLogo ? 'kept' : logo ? 'set' : 'removed',
        },
      });
      return withContrast(await brandingOf(call.sctx, inst));
    },
  }),
  route({
    method: 'delete',
    path: P,
    operationId: 'deleteBranding',
    summary: 'Return to the default branding',
    tag: 'branding',
    permission: 'instance:write',
    status: 204,
    handler: async (call) => {
      const inst = await call.instance();
      const removed = await call.sctx.store.repos.branding.delete(inst.id);
      await call.sctx.audit.record({
        instanceId: inst.id,
        actor: actorOfToken(call.admin),
        action: 'branding.reset',
        target: { type: 'instance', id: inst.id },
        result: 'success',
        ...requestMeta(call.ctx),
        details: { removed },
      });
    },
  }),
  route({
    method: 'post',
    path: `${P}/preview`,
    operationId: 'previewBranding',
    summary: 'Render a sample sign-in page with candidate branding (nothing is saved)',
    tag: 'branding',
    permission: 'instance:read',
    body: brandingInput,
    produces: ['text/html'],
    handler: async (call) => {
      const inst = await call.instance();
      previewState(call.ctx, call.body, inst);
      const locale = pageLocale(call.ctx);
      renderPage(call.ctx, {
        locale,
        titleKey: 'page.signin.title',
        body: `<h1>${esc(t(locale, 'page.signin.heading', { instance: inst.displayName || inst.slug }))}</h1>
<form method="post" action="#" novalidate>
<label for="username">${esc(t(locale, 'page.signin.username'))}</label>
<input id="username" name="username" type="text" autocomplete="username">
<label for="password">${esc(t(locale, 'page.signin.password'))}</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="button">${esc(t(locale, 'page.signin.submit'))}</button>
<button type="button" class="secondary">${esc(t(locale, 'page.signin.cancel'))}</button>
</form>`,
      });
    },
  }),
];
