// SAML 2.0 identity provider per instance under /i/:slug/saml/* (samlify, with the wasm
// xmllint schema validator checking every incoming message).
//   GET       /metadata   IdP metadata (entity id = this URL)
//   GET|POST  /sso        SP-initiated SSO (HTTP-Redirect or HTTP-POST AuthnRequest)
//   GET       /continue   back from the hosted sign-in (OIDC bridge), finishes a pending SSO
//   GET       /init       IdP-initiated SSO: ?sp=<entity id>&RelayState=...
//   GET|POST  /slo        SP-initiated single logout (LogoutRequest → LogoutResponse)
//
// Sign-in is the instance's OIDC sign-in: an authenticated oidc-provider session (cookie
// `_session`, scoped to /i/:slug) is read directly; without one, the browser is sent
// through the instance's authorization endpoint with the internal public client
// `saml-bridge` (created on first use) whose redirect URI is /saml/continue.
import { createHash, randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { Context, Middleware } from 'koa';
import * as samlify from 'samlify';
import * as validator from '@authenio/samlify-node-xmllint';
import type { Instance, SamlApp, User } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import type { OidcModule } from '../oidc/index.ts';
import { adapterFor } from '../oidc/adapter.ts';
import { browserSession, endBrowserSession } from '../oidc/session.ts';
import { ensureInternalClient } from '../oidc/internal-clients.ts';
import { clauseOf, renderUnavailable, SERVING_STATES } from '../oidc/interactions.ts';
import { esc, pageLocale, renderError } from '../pages/render.ts';
import { requestMeta } from '../audit/index.ts';
import { ACR_VALUES, acrRank } from '../mfa/service.ts';
import { deviceKnown, evaluateSignIn } from '../security/access.ts';
import { persistentNameId, samlKey, type SamlKey } from './keys.ts';
import { classFor, parseComparison, requiredRank, type RequestedContext } from './authn-context.ts';
import {
  BRIDGE_CLIENT,
  dropPending,
  loadPending,
  nameIdIssued,
  PENDING_TTL_MS,
  rememberNameId,
  savePending,
  type Pending,
} from './pending.ts';

export { BRIDGE_CLIENT } from './pending.ts';

samlify.setSchemaValidator(validator);

export const MAX_MESSAGE = 64 * 1024;
const SKEW_MS = 3 * 60_000;
const REQUEST_TTL_MS = PENDING_TTL_MS;
const ASSERTION_TTL_MS = 5 * 60_000;

const NS = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  denied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  badPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  noAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
};

export const NAMEID_FORMATS: Record<SamlApp['nameIdFormat'], string> = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
};

const ATTR_NAME_FORMATS = {
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
};

/** A refusal: a SAML status (top-level and optional second-level) and an HTTP status. */
export class SamlRejection extends Error {
  readonly status: string;
  readonly sub: string | undefined;
  readonly http: number;
  constructor(status: string, message: string, opts: { sub?: string; http?: number } = {}) {
    super(message);
    this.status = status;
    this.sub = opts.sub;
    this.http = opts.http ?? 400;
  }
}

const x = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pemCert = (b64: string) =>
  `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----`;
const newSamlId = () => `_${randomBytes(20).toString('hex')}`;

export function samlBase(publicUrl: string, slug: string): string {
  return `${publicUrl}/i/${slug}/saml`;
}

const entityCache = new Map<string, unknown>();
/** samlify entities build and re-parse metadata when created: keep recent ones. */
function cached<T>(key: string, make: () => T): T {
  const hit = entityCache.get(key) as T | undefined;
  if (hit) return hit;
  const made = make();
  if (entityCache.size >= 512) entityCache.delete(entityCache.keys().next().value as string);
  entityCache.set(key, made);
  return made;
}

export function idpEntity(
  sctx: ServerContext,
  instance: Instance,
  key: SamlKey,
  app: SamlApp | null,
): ReturnType<typeof samlify.IdentityProvider> {
  return cached(
    `idp:${instance.id}:${instance.slug}:${key.certificate.slice(-24)}:${app?.id ?? ''}:${app?.updatedAt.getTime() ?? ''}:${app?.wantSignedRequests}:${app?.encryptAssertion}`,
    () => makeIdpEntity(sctx, instance, key, app),
  );
}

function makeIdpEntity(
  sctx: ServerContext,
  instance: Instance,
  key: SamlKey,
  app: SamlApp | null,
): ReturnType<typeof samlify.IdentityProvider> {
  const base = samlBase(sctx.config.publicUrl, instance.slug);
  const settings = {
    entityID: `${base}/metadata`,
    privateKey: key.privateKeyPem,
    signingCert: pemCert(key.certificate),
    wantAuthnRequestsSigned: app?.wantSignedRequests ?? false,
    isAssertionEncrypted: app?.encryptAssertion ?? false,
    dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
    keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    requestSignatureAlgorithm: NS.rsaSha256,
    nameIDFormat: Object.values(NAMEID_FORMATS),
    singleSignOnService: [
      { Binding: NS.redirect, Location: `${base}/sso` },
      { Binding: NS.post, Location: `${base}/sso` },
    ],
    singleLogoutService: [
      { Binding: NS.redirect, Location: `${base}/slo` },
      { Binding: NS.post, Location: `${base}/slo` },
    ],
  };
  return samlify.IdentityProvider(settings as Parameters<typeof samlify.IdentityProvider>[0]);
}

export function spEntity(app: SamlApp): ReturnType<typeof samlify.ServiceProvider> {
  return cached(`sp:${app.instanceId}:${app.id}:${app.updatedAt.getTime()}:${app.entityId}`, () =>
    makeSpEntity(app),
  );
}

function makeSpEntity(app: SamlApp): ReturnType<typeof samlify.ServiceProvider> {
  const acs = [...app.acs].sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  return samlify.ServiceProvider({
    entityID: app.entityId,
    assertionConsumerService: acs.map((a) => ({ Binding: NS[a.binding], Location: a.location })),
    ...(app.sloUrl && app.sloBinding
      ? { singleLogoutService: [{ Binding: NS[app.sloBinding], Location: app.sloUrl }] }
      : {}),
    wantAssertionsSigned: app.signAssertion,
    wantMessageSigned: app.signResponse,
    authnRequestsSigned: app.wantSignedRequests,
    // our logout messages to the SP are always signed
    wantLogoutResponseSigned: true,
    wantLogoutRequestSigned: true,
    ...(app.spSigningCert ? { signingCert: pemCert(app.spSigningCert) } : {}),
    ...(app.spEncryptionCert ? { encryptCert: pemCert(app.spEncryptionCert) } : {}),
  });
}

/** The SAMLRequest/SAMLResponse XML of a message (bounded, DTD-free). */
export function decodeMessage(value: string, binding: 'post' | 'redirect'): string {
  if (value.length > MAX_MESSAGE)
    throw new SamlRejection(NS.requester, `message larger than ${MAX_MESSAGE} bytes`, {
      http: 413,
    });
  const raw = Buffer.from(value, 'base64');
  let xml: string;
  try {
    xml =
      binding === 'redirect'
        ? inflateRawSync(raw, { maxOutputLength: MAX_MESSAGE * 4 }).toString('utf8')
        : raw.toString('utf8');
  } catch {
    throw new SamlRejection(NS.requester, 'message is not valid deflate/base64');
  }
  if (xml.length > MAX_MESSAGE * 4)
    throw new SamlRejection(NS.requester, 'message too large', { http: 413 });
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new SamlRejection(
      NS.requester,
      'document type declarations (XXE, entity expansion) are refused',
    );
  if (
    !/^\s*(<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*:)?(AuthnRequest|LogoutRequest|LogoutResponse)\b/.test(
      xml,
    )
  )
    throw new SamlRejection(NS.requester, 'not a SAML request');
  return xml;
}

function issuerOf(xml: string): string {
  for (const root of ['AuthnRequest', 'LogoutRequest', 'LogoutResponse']) {
    const r = samlify.Extractor.extract(xml, [
      { key: 'issuer', localPath: [root, 'Issuer'], attributes: [] },
    ]) as { issuer?: unknown };
    if (typeof r.issuer === 'string' && r.issuer) return r.issuer;
  }
  throw new SamlRejection(NS.requester, 'request has no Issuer');
}

/** The raw query string parts as sent (for HTTP-Redirect signature verification). */
function octetString(querystring: string, kind: 'SAMLRequest' | 'SAMLResponse'): string {
  const parts = new Map<string, string>();
  for (const p of querystring.split('&')) {
    const i = p.indexOf('=');
    if (i > 0) parts.set(p.slice(0, i), p);
  }
  return [kind, 'RelayState', 'SigAlg']
    .map((k) => parts.get(k))
    .filter((p): p is string => p !== undefined)
    .join('&');
}

async function readBody(ctx: Context): Promise<URLSearchParams> {
  if (ctx.request.type !== 'application/x-www-form-urlencoded')
    throw new SamlRejection(NS.requester, 'expected an HTML form post');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_MESSAGE * 1.5)
      throw new SamlRejection(NS.requester, `message larger than ${MAX_MESSAGE} bytes`, {
        http: 413,
      });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** An auto-submitting HTML form (POST binding), with its own CSP allowing that one script. */
function postForm(ctx: Context, action: string, fields: Record<string, string>): void {
  const nonce = randomBytes(16).toString('base64');
  let origin = "'self'";
  try {
    origin = new URL(action).origin;
  } catch {
    /* keep self */
  }
  ctx.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; form-action ${origin}; base-uri 'none'; frame-ancestors 'none'`,
  );
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>SAML</title></head>
<body>
<form method="post" action="${esc(action)}" id="saml">
${Object.entries(fields)
  .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
  .join('\n')}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.getElementById('saml').submit()</script>
</body></html>`;
}

/** The sign-in behind a SAML response: the account, its acr, and a tag of the session. */
interface Auth {
  accountId: string;
  acr: string | null;
  /** A short hash of the IdP session id (which SPs share a session, for logout). */
  sid: string | null;
}
const sidTag = (sid: string) => createHash('sha256').update(sid).digest('base64url').slice(0, 16);

/** The ForceAuthn, IsPassive, NameIDPolicy and RequestedAuthnContext of an AuthnRequest. */
export function requestOptions(xml: string): {
  force: boolean;
  passive: boolean;
  nameIdFormat: string | null;
  allowCreate: boolean;
  authnContext: RequestedContext | null;
  badComparison: boolean;
} {
  const r = samlify.Extractor.extract(xml, [
    { key: 'root', localPath: ['AuthnRequest'], attributes: ['ForceAuthn', 'IsPassive'] },
    {
      key: 'policy',
      localPath: ['AuthnRequest', 'NameIDPolicy'],
      attributes: ['Format', 'AllowCreate'],
    },
    {
      key: 'rac',
      localPath: ['AuthnRequest', 'RequestedAuthnContext'],
      attributes: ['Comparison'],
    },
    {
      key: 'refs',
      localPath: ['AuthnRequest', 'RequestedAuthnContext', 'AuthnContextClassRef'],
      attributes: [],
    },
  ] as never) as Record<string, unknown>;
  const obj = (v: unknown) =>
    (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, string>;
  const root = obj(r.root);
  const policy = obj(r.policy);
  const bool = (v: string | undefined) => v === 'true' || v === '1';
  const refs = (Array.isArray(r.refs) ? r.refs : typeof r.refs === 'string' ? [r.refs] : [])
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.trim())
    .filter(Boolean);
  const rawComparison =
    typeof r.rac === 'string' ? r.rac : (obj(r.rac).comparison as string | undefined);
  const comparison = parseComparison(rawComparison);
  return {
    force: bool(root.forceAuthn),
    passive: bool(root.isPassive),
    nameIdFormat: policy.format || null,
    allowCreate: policy.allowCreate === undefined ? true : bool(policy.allowCreate),
    authnContext: refs.length ? { comparison: comparison ?? 'exact', refs } : null,
    badComparison: comparison === null,
  };
}

export function createSaml(sctx: ServerContext, _oidc: OidcModule): Middleware {
  const { config, store } = sctx;

  const log = (ctx: Context) => (ctx.state.log ?? sctx.logger) as ServerContext['logger'];

  /** The instance's sign-in session of this browser (oidc-provider's Session), if any. */
  async function sessionInfo(ctx: Context, instance: Instance): Promise<Auth | null> {
    const s = await browserSession(sctx, ctx, instance);
    return s ? { accountId: s.accountId, acr: s.acr, sid: sidTag(s.sid) } : null;
  }

  const audit = (
    ctx: Context,
    instance: Instance,
    action: string,
    result: 'success' | 'failure' | 'denied',
    userId: string | null,
    app: SamlApp | null,
    details: Record<string, unknown>,
  ) =>
    sctx.audit.record({
      instanceId: instance.id,
      actor: userId ? { type: 'user', id: userId } : { type: 'anonymous', id: null },
      action,
      target: app ? { type: 'saml_app', id: app.id } : null,
      result,
      ...requestMeta(ctx),
      details: { ...(app ? { sp: app.entityId } : {}), ...details },
    });

  /**
   * A refusal sent to a known SP as a status Response (to its registered ACS): logged and
   * audited as `saml.sso.refused` with the SP and the status.
   */
  async function refuseToSp(
    ctx: Context,
    instance: Instance,
    app: SamlApp,
    p: { acs: string; id: string | null; rs: string | null },
    rej: SamlRejection,
    userId: string | null = null,
  ) {
    log(ctx).warn(
      {
        event: 'saml.rejected',
        status: rej.status,
        sub: rej.sub,
        reason: rej.message,
        sp: app.entityId,
      },
      'SAML request refused',
    );
    await audit(
      ctx,
      instance,
      'saml.sso.refused',
      rej.sub === NS.denied ? 'denied' : 'failure',
      userId,
      app,
      { status: rej.status, ...(rej.sub ? { sub_status: rej.sub } : {}), reason: rej.message },
    );
    const e = errorResponse(instance, p.acs, p.id, rej, p.rs);
    return postForm(ctx, e.action, e.fields);
  }

  const ensureBridge = (instance: Instance) =>
    ensureInternalClient(
      sctx,
      instance,
      {
        clientId: BRIDGE_CLIENT,
        name: 'SAML sign-in',
        redirectUris: [`${samlBase(config.publicUrl, instance.slug)}/continue`],
        scopes: ['openid'],
      },
      _oidc.invalidate,
    );

  function chooseAcs(app: SamlApp, url: string | undefined, index: string | undefined): string {
    if (url) {
      const hit = app.acs.find((a) => a.location === url && a.binding === 'post');
      if (!hit)
        throw new SamlRejection(
          NS.requester,
          `AssertionConsumerServiceURL ${url} is not registered`,
        );
      return hit.location;
    }
    if (index !== undefined && index !== '') {
      const hit = app.acs.find((a) => String(a.index) === index && a.binding === 'post');
      if (!hit) throw new SamlRejection(NS.requester, `no POST ACS with index ${index}`);
      return hit.location;
    }
    const post = app.acs.filter((a) => a.binding === 'post');
    const chosen = post.find((a) => a.isDefault) ?? post[0];
    if (!chosen) throw new SamlRejection(NS.requester, 'the SP has no HTTP-POST ACS');
    return chosen.location;
  }

  async function buildResponse(
    instance: Instance,
    app: SamlApp,
    user: User,
    acs: string,
    inResponseTo: string | null,
    relayState: string | null,
    classRef: string,
    noCreate: boolean,
  ): Promise<{ action: string; fields: Record<string, string>; nameId: string }> {
    const key = await samlKey(sctx, instance);
    const idp = idpEntity(sctx, instance, key, app);
    const sp = spEntity(app);
    const now = sctx.clock.now();
    const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();
    let nameId: string;
    switch (app.nameIdFormat) {
      case 'persistent':
        nameId = persistentNameId(key, user.id, app.entityId);
        if (await nameIdIssued(sctx, instance, app.id, nameId)) break;
        if (noCreate)
          throw new SamlRejection(
            NS.responder,
            'AllowCreate="false" and no persistent identifier was issued to this SP for the user before',
            { sub: NS.badPolicy, http: 403 },
          );
        await rememberNameId(sctx, instance, app.id, nameId);
        break;
      case 'transient':
        nameId = newSamlId();
        break;
      case 'email':
        if (!user.email)
          throw new SamlRejection(NS.responder, 'the user has no email address', {
            sub: NS.badPolicy,
            http: 403,
          });
        nameId = user.email;
        break;
      default:
        nameId = user.username;
    }
    const groups = app.attributes.some((a) => a.source === 'groups')
      ? await store.repos.users.groupNames(instance.id, user.id)
      : [];
    const values = (src: SamlApp['attributes'][number]['source']): string[] => {
      switch (src) {
        case 'id':
          return [user.id];
        case 'username':
          return [user.username];
        case 'email':
          return user.email ? [user.email] : [];
        case 'displayName':
          return [user.displayName ?? user.username];
        case 'phone':
          return user.phone ? [user.phone] : [];
        case 'groups':
          return groups;
      }
    };
    const attrs = app.attributes
      .map((a) => ({ a, v: values(a.source) }))
      .filter(({ v }) => v.length > 0)
      .map(
        ({ a, v }) =>
          `<saml:Attribute Name="${x(a.name)}" NameFormat="${ATTR_NAME_FORMATS[a.nameFormat ?? 'unspecified']}">${v
            .map((s) => `<saml:AttributeValue xsi:type="xs:string">${x(s)}</saml:AttributeValue>`)
            .join('')}</saml:Attribute>`,
      )
      .join('');
    const issuer = `${samlBase(config.publicUrl, instance.slug)}/metadata`;
    const id = newSamlId();
    const irt = inResponseTo ? ` InResponseTo="${x(inResponseTo)}"` : '';
    const sessionIndex = createHash('sha256')
      .update(`${instance.id}:${user.id}`)
      .digest('base64url')
      .slice(0, 24);
    const xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(0)}" Destination="${x(acs)}"${irt}>` +
      `<saml:Issuer>${x(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${NS.success}"/></samlp:Status>` +
      `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${newSamlId()}" Version="2.0" IssueInstant="${iso(0)}">` +
      `<saml:Issuer>${x(issuer)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="${NAMEID_FORMATS[app.nameIdFormat]}"${app.nameIdFormat === 'persistent' ? ` NameQualifier="${x(issuer)}" SPNameQualifier="${x(app.entityId)}"` : ''}>${x(nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(ASSERTION_TTL_MS)}" Recipient="${x(acs)}"${irt}/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(-60_000)}" NotOnOrAfter="${iso(ASSERTION_TTL_MS)}"><saml:AudienceRestriction><saml:Audience>${x(app.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${sessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>${x(classRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attrs ? `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` : '') +
      `</saml:Assertion></samlp:Response>`;
    const out = (await idp.createLoginResponse(sp, {} as never, 'post', {}, {
      customTagReplacement: () => ({ id, context: xml }),
      // sign the assertion, encrypt it, then sign the message over the ciphertext
      encryptThenSign: app.encryptAssertion,
      ...(relayState ? { relayState } : {}),
    } as never)) as { context: string };
    return {
      action: acs,
      fields: { SAMLResponse: out.context, ...(relayState ? { RelayState: relayState } : {}) },
      nameId,
    };
  }

  /** A status-only Response to a known SP's registered ACS. */
  function errorResponse(
    instance: Instance,
    acs: string,
    inResponseTo: string | null,
    rej: SamlRejection,
    relayState: string | null,
  ): { action: string; fields: Record<string, string> } {
    const issuer = `${samlBase(config.publicUrl, instance.slug)}/metadata`;
    const irt = inResponseTo ? ` InResponseTo="${x(inResponseTo)}"` : '';
    const sub = rej.sub ? `<samlp:StatusCode Value="${rej.sub}"/>` : '';
    const xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newSamlId()}" Version="2.0" IssueInstant="${sctx.clock.now().toISOString()}" Destination="${x(acs)}"${irt}>` +
      `<saml:Issuer>${x(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${rej.status}">${sub}</samlp:StatusCode><samlp:StatusMessage>${x(rej.message)}</samlp:StatusMessage></samlp:Status></samlp:Response>`;
    return {
      action: acs,
      fields: {
        SAMLResponse: Buffer.from(xml).toString('base64'),
        ...(relayState ? { RelayState: relayState } : {}),
      },
    };
  }

  function refusePage(ctx: Context, rej: SamlRejection): void {
    const short = rej.status.split(':').pop() ?? rej.status;
    renderError(ctx, pageLocale(ctx), {
      status: rej.http,
      message: rej.message,
      code: `SAML ${short}${rej.sub ? `/${rej.sub.split(':').pop()}` : ''}`,
    });
  }

  /**
   * Issues the Response for a sign-in (`auth`): the user must be enabled, and the sign-in's
   * acr must satisfy the request (else NoAuthnContext).
   */
  async function finish(ctx: Context, instance: Instance, p: Pending, auth: Auth) {
    const app = await store.repos.samlApps.get(instance.id, p.app);
    if (!app) throw new SamlRejection(NS.requester, 'the SAML application no longer exists');
    const user = await store.repos.users.get(instance.id, auth.accountId);
    if (!user || user.status !== 'enabled')
      return refuseToSp(
        ctx,
        instance,
        app,
        p,
        new SamlRejection(NS.responder, 'the user may not sign in', { sub: NS.denied, http: 403 }),
        auth.accountId,
      );
    const rank = Math.max(1, acrRank(auth.acr));
    const classRef = rank >= (p.rank ?? 0) ? classFor(p.ctx ?? null, rank) : null;
    if (!classRef)
      return refuseToSp(
        ctx,
        instance,
        app,
        p,
        new SamlRejection(
          NS.responder,
          'the sign-in does not meet the requested authentication context',
          {
            sub: NS.noAuthnContext,
            http: 403,
          },
        ),
        user.id,
      );
    let out;
    try {
      out = await buildResponse(instance, app, user, p.acs, p.id, p.rs, classRef, !!p.noCreate);
    } catch (err) {
      if (!(err instanceof SamlRejection)) throw err;
      return refuseToSp(ctx, instance, app, p, err, user.id);
    }
    rememberVisit(ctx, instance, app, out.nameId, auth.sid);
    sctx.events.emit('authenticated', {
      instanceId: instance.id,
      userId: user.id,
      at: sctx.clock.now(),
    });
    await audit(ctx, instance, 'saml.sso.issued', 'success', user.id, app, {
      status: NS.success,
      initiated: p.id ? 'sp' : 'idp',
      acr: auth.acr,
      authn_context: classRef,
      name_id_format: app.nameIdFormat,
    });
    log(ctx).info(
      { event: 'saml.sso', sp: app.entityId, userId: user.id, authnContext: classRef },
      'SAML response issued',
    );
    postForm(ctx, out.action, out.fields);
  }

  // ---- single logout bookkeeping: the SPs this browser signed into (signed cookie), each
  // tagged with the IdP session it was signed into from
  const VISITS = 'saml_sps';
  interface Visit {
    a: string;
    n: string;
    s?: string | null;
  }
  const visitsOf = (ctx: Context): Visit[] => {
    const raw = ctx.cookies.get(VISITS, { signed: true });
    try {
      const v = raw ? (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown) : [];
      return Array.isArray(v) ? (v as Visit[]).filter((x) => typeof x?.a === 'string') : [];
    } catch {
      return [];
    }
  };
  const cookieOpts = (instance: Instance) => ({
    path: `/i/${instance.slug}/saml`,
    httpOnly: true,
    sameSite: 'lax' as const,
    signed: true,
    overwrite: true,
  });
  const saveVisits = (ctx: Context, instance: Instance, v: Visit[]) =>
    ctx.cookies.set(
      VISITS,
      v.length ? Buffer.from(JSON.stringify(v.slice(-10))).toString('base64url') : null,
      cookieOpts(instance),
    );
  function rememberVisit(
    ctx: Context,
    instance: Instance,
    app: SamlApp,
    nameId: string,
    sid: string | null,
  ) {
    // visits of an earlier session of this browser are stale: keep only this session's
    const v = visitsOf(ctx).filter((x) => x.a !== app.id && (!x.s || !sid || x.s === sid));
    v.push({ a: app.id, n: nameId, s: sid });
    saveVisits(ctx, instance, v);
  }

  // ---- a logout in progress that an SP started: answered once the other SPs are done
  const SLO = 'saml_slo';
  interface SloState {
    /** The initiating SAML application, its LogoutRequest ID, its RelayState. */
    a: string;
    id: string;
    rs: string | null;
  }
  const sloOf = (ctx: Context): SloState | null => {
    const raw = ctx.cookies.get(SLO, { signed: true });
    try {
      const v = raw
        ? (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as SloState)
        : null;
      return v && typeof v.a === 'string' && typeof v.id === 'string' ? v : null;
    } catch {
      return null;
    }
  };
  const saveSlo = (ctx: Context, instance: Instance, v: SloState | null) =>
    ctx.cookies.set(SLO, v ? Buffer.from(JSON.stringify(v)).toString('base64url') : null, {
      ...cookieOpts(instance),
      ...(v ? { maxAge: REQUEST_TTL_MS } : {}),
    });

  /** Ends the IdP session of this browser; returns the tag of the session ended. */
  async function endSession(ctx: Context, instance: Instance): Promise<string | null> {
    const sid = await endBrowserSession(sctx, ctx, instance);
    return sid ? sidTag(sid) : null;
  }

  function signedOutPage(ctx: Context) {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'signed out\n';
  }

  /**
   * The next step of a logout: a LogoutRequest to the next SP in `visits` that has an SLO
   * endpoint; when none is left, the LogoutResponse to the SP that started the logout (if
   * one did), else the "signed out" page.
   */
  async function logoutNext(
    ctx: Context,
    instance: Instance,
    visits: Visit[],
    started: SloState | null = sloOf(ctx),
  ) {
    const rest = visits.slice();
    while (rest.length) {
      const v = rest.shift()!;
      const app = await store.repos.samlApps.get(instance.id, v.a);
      if (!app?.sloUrl || !app.sloBinding) continue;
      saveVisits(ctx, instance, rest);
      const key = await samlKey(sctx, instance);
      const idp = idpEntity(sctx, instance, key, app);
      const issuer = `${samlBase(config.publicUrl, instance.slug)}/metadata`;
      const id = newSamlId();
      const xml =
        `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${sctx.clock.now().toISOString()}" Destination="${x(app.sloUrl)}">` +
        `<saml:Issuer>${x(issuer)}</saml:Issuer><saml:NameID Format="${NAMEID_FORMATS[app.nameIdFormat]}"${app.nameIdFormat === 'persistent' ? ` NameQualifier="${x(issuer)}" SPNameQualifier="${x(app.entityId)}"` : ''}>${x(v.n)}</saml:NameID></samlp:LogoutRequest>`;
      log(ctx).info({ event: 'saml.slo.request', sp: app.entityId }, 'SAML LogoutRequest sent');
      await audit(ctx, instance, 'saml.slo.request_sent', 'success', null, app, {
        binding: app.sloBinding,
      });
      const r = idp.createLogoutRequest(
        spEntity(app),
        app.sloBinding,
        { logoutNameID: v.n } as never,
        {
          customTagReplacement: () => ({ id, context: xml }),
        } as never,
      ) as { context: string };
      if (app.sloBinding === 'redirect') return ctx.redirect(r.context);
      return postForm(ctx, app.sloUrl, { SAMLRequest: r.context });
    }
    saveVisits(ctx, instance, []);
    const initiator = started;
    if (initiator) {
      saveSlo(ctx, instance, null);
      const app = await store.repos.samlApps.get(instance.id, initiator.a);
      if (app) return answerLogout(ctx, instance, app, initiator.id, initiator.rs);
    }
    signedOutPage(ctx);
  }

  /** The signed LogoutResponse (Success) to an SP that asked to be logged out. */
  async function answerLogout(
    ctx: Context,
    instance: Instance,
    app: SamlApp,
    requestId: string,
    relayState: string | null,
  ) {
    if (!app.sloUrl || !app.sloBinding) return signedOutPage(ctx);
    const key = await samlKey(sctx, instance);
    const idp = idpEntity(sctx, instance, key, app);
    const sp = spEntity(app);
    const reqInfo = { extract: { request: { id: requestId } } } as never;
    if (app.sloBinding === 'redirect') {
      const r = idp.createLogoutResponse(sp, reqInfo, 'redirect', relayState ?? '') as {
        context: string;
      };
      ctx.redirect(r.context);
      return;
    }
    const r = idp.createLogoutResponse(sp, reqInfo, 'post', relayState ?? '') as {
      context: string;
    };
    postForm(ctx, app.sloUrl, {
      SAMLResponse: r.context,
      ...(relayState ? { RelayState: relayState } : {}),
    });
  }

  async function idpLogout(ctx: Context, instance: Instance) {
    const ended = await endSession(ctx, instance);
    const visits = visitsOf(ctx).filter((v) => !v.s || !ended || v.s === ended);
    saveSlo(ctx, instance, null);
    log(ctx).info({ event: 'saml.slo.idp_initiated' }, 'IdP-initiated single logout');
    await audit(ctx, instance, 'saml.slo', 'success', null, null, {
      initiated: 'idp',
      session_ended: ended !== null,
      sps: visits.length,
    });
    await logoutNext(ctx, instance, visits, null);
  }

  /** Asks oidc-provider for a sign-in through the bridge client (the hosted pages). */
  async function viaBridge(ctx: Context, instance: Instance, p: Pending) {
    await ensureBridge(instance);
    const base = samlBase(config.publicUrl, instance.slug);
    await savePending(sctx, instance, p);
    ctx.cookies.set('saml_pending', p.n, {
      path: `/i/${instance.slug}/saml`,
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      maxAge: REQUEST_TTL_MS,
      overwrite: true,
    });
    const auth = new URL(`${config.publicUrl}/i/${instance.slug}/auth`);
    const rank = p.rank ?? 0;
    auth.search = new URLSearchParams({
      client_id: BRIDGE_CLIENT,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${base}/continue`,
      state: p.n,
      nonce: p.n,
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
      code_challenge_method: 'S256',
      // ForceAuthn: a fresh sign-in even with a session
      ...(p.force ? { prompt: 'login', max_age: '0' } : {}),
      // a stronger authentication than a password (step-up of an existing session too)
      ...(rank >= 2 ? { acr_values: ACR_VALUES.slice(rank - 1).join(' ') } : {}),
    }).toString();
    ctx.redirect(auth.href);
  }

  /**
   * Starts or completes a sign-in for a verified request. With a session (and no
   * ForceAuthn) the Response is issued at once — after conditional access for this SP and
   * a check that the session's acr is strong enough (else a step-up through the bridge).
   * IsPassive: never any page; NoPassive when the user would have to act.
   */
  async function startSignIn(ctx: Context, instance: Instance, p: Pending, passive: boolean) {
    const app = await store.repos.samlApps.get(instance.id, p.app);
    if (!app) throw new SamlRejection(NS.requester, 'the SAML application no longer exists');
    const noPassive = (reason: string, userId: string | null = null) =>
      refuseToSp(
        ctx,
        instance,
        app,
        p,
        new SamlRejection(NS.responder, reason, { sub: NS.noPassive, http: 403 }),
        userId,
      );
    const session = p.force ? null : await sessionInfo(ctx, instance);
    if (session) {
      const user = await store.repos.users.get(instance.id, session.accountId);
      if (user && user.status === 'enabled') {
        const decision = await evaluateSignIn(sctx, {
          instance,
          user,
          application: { kind: 'saml', id: app.entityId },
          ip: ctx.ip,
          deviceKnown: await deviceKnown(sctx, ctx, instance, user.id),
        });
        await audit(
          ctx,
          instance,
          'access.decision',
          decision.decision === 'deny' ? 'denied' : 'success',
          user.id,
          app,
          { decision: decision.decision, policy: decision.policy?.id ?? null, session: true },
        );
        if (decision.decision === 'deny')
          return refuseToSp(
            ctx,
            instance,
            app,
            p,
            new SamlRejection(NS.responder, 'refused by an access policy', {
              sub: NS.denied,
              http: 403,
            }),
            user.id,
          );
        if (decision.decision === 'mfa') p.rank = Math.max(p.rank ?? 0, acrRank(ACR_VALUES[1]));
        if (Math.max(1, acrRank(session.acr)) >= (p.rank ?? 0))
          return finish(ctx, instance, p, session);
        if (passive) return noPassive('a stronger sign-in is needed (IsPassive)', user.id);
        return viaBridge(ctx, instance, p);
      }
      // a disabled user: finish() answers RequestDenied
      return finish(ctx, instance, p, session);
    }
    if (passive)
      return noPassive(
        p.force
          ? 'ForceAuthn and IsPassive: a sign-in page would be needed'
          : 'no session (IsPassive)',
      );
    return viaBridge(ctx, instance, p);
  }

  /** The binding of an incoming message and a reader of its parameters (form or query). */
  async function messageParams(ctx: Context) {
    const binding: 'post' | 'redirect' = ctx.method === 'POST' ? 'post' : 'redirect';
    const form = binding === 'post' ? await readBody(ctx) : null;
    const get = (k: string): string | undefined =>
      form
        ? (form.get(k) ?? undefined)
        : typeof ctx.query[k] === 'string'
          ? (ctx.query[k] as string)
          : undefined;
    return { binding, get };
  }

  /**
   * The SAMLRequest of an SSO or SLO message: present, RelayState within bounds, decoded,
   * from a known SP (by its Issuer), with the IdP entity for that SP. Rejections carry
   * the SAML status to answer with.
   */
  async function incomingRequest(
    instance: Instance,
    binding: 'post' | 'redirect',
    get: (k: string) => string | undefined,
  ) {
    const encoded = get('SAMLRequest');
    if (!encoded) throw new SamlRejection(NS.requester, 'no SAMLRequest');
    const relayState = get('RelayState') ?? null;
    if (relayState && relayState.length > 1024)
      throw new SamlRejection(NS.requester, 'RelayState longer than 1024 bytes');
    const xml = decodeMessage(encoded, binding);
    const entityId = issuerOf(xml);
    const app = await store.repos.samlApps.getByEntityId(instance.id, entityId);
    if (!app)
      throw new SamlRejection(NS.requester, `unknown service provider ${entityId}`, {
        sub: NS.denied,
        http: 403,
      });
    const key = await samlKey(sctx, instance);
    const idp = idpEntity(sctx, instance, key, app);
    return { encoded, relayState, xml, app, idp };
  }

  async function sso(ctx: Context, instance: Instance) {
    const { binding, get } = await messageParams(ctx);
    const { encoded, relayState, xml, app, idp } = await incomingRequest(instance, binding, get);
    let parsed;
    try {
      parsed = await idp.parseLoginRequest(
        spEntity(app),
        binding,
        binding === 'post'
          ? { body: { SAMLRequest: encoded, ...(relayState ? { RelayState: relayState } : {}) } }
          : ({
              query: ctx.query,
              octetString: octetString(ctx.querystring, 'SAMLRequest'),
            } as never),
      );
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      if (/SIG|SIGNATURE/i.test(msg))
        throw new SamlRejection(NS.requester, `request signature: ${msg}`, {
          sub: NS.denied,
          http: 403,
        });
      throw new SamlRejection(NS.requester, `invalid request: ${msg}`);
    }
    if (app.wantSignedRequests && binding === 'post' && !/<(\w+:)?Signature[\s>]/.test(xml))
      throw new SamlRejection(NS.requester, 'the request must be signed', {
        sub: NS.denied,
        http: 403,
      });
    const req = (parsed.extract as { request?: Record<string, string> }).request ?? {};
    const id = req.id;
    if (!id) throw new SamlRejection(NS.requester, 'request has no ID');
    const sso = `${samlBase(config.publicUrl, instance.slug)}/sso`;
    if (req.destination && req.destination !== sso)
      throw new SamlRejection(
        NS.requester,
        `wrong Destination ${req.destination} (expected ${sso})`,
      );
    const issued = Date.parse(req.issueInstant ?? '');
    const now = sctx.clock.now().getTime();
    if (!Number.isFinite(issued))
      throw new SamlRejection(NS.requester, 'request has no IssueInstant');
    if (issued < now - REQUEST_TTL_MS + SKEW_MS || issued > now + SKEW_MS)
      throw new SamlRejection(NS.requester, 'request expired or not yet valid');
    const acs = chooseAcs(app, req.assertionConsumerServiceUrl, req.assertionConsumerServiceIndex);
    const fresh = await store.repos.samlRequestIds.remember(
      instance.id,
      id,
      new Date(issued + REQUEST_TTL_MS + SKEW_MS),
      sctx.clock.now(),
    );
    if (!fresh)
      throw new SamlRejection(NS.requester, `replayed request id ${id}`, {
        sub: NS.denied,
        http: 403,
      });
    const reply = { acs, id, rs: relayState };
    if (!SERVING_STATES.has(instance.state))
      return refuseToSp(
        ctx,
        instance,
        app,
        reply,
        new SamlRejection(
          NS.responder,
          `instance ${instance.state}: end users cannot sign in (service agreement ${await clauseOf(sctx, instance)})`,
          { sub: NS.denied, http: 403 },
        ),
      );
    const opts = requestOptions(xml);
    if (opts.badComparison)
      return refuseToSp(
        ctx,
        instance,
        app,
        reply,
        new SamlRejection(NS.requester, 'RequestedAuthnContext: unknown Comparison'),
      );
    // NameIDPolicy: the application's format, or unspecified (= whatever it is configured for)
    if (
      opts.nameIdFormat &&
      opts.nameIdFormat !== NAMEID_FORMATS.unspecified &&
      opts.nameIdFormat !== NAMEID_FORMATS[app.nameIdFormat]
    )
      return refuseToSp(
        ctx,
        instance,
        app,
        reply,
        new SamlRejection(
          NS.responder,
          `NameIDPolicy Format ${opts.nameIdFormat} is not the one this SP is configured for (${NAMEID_FORMATS[app.nameIdFormat]})`,
          { sub: NS.badPolicy, http: 403 },
        ),
      );
    const rank = requiredRank(opts.authnContext);
    if (rank === null)
      return refuseToSp(
        ctx,
        instance,
        app,
        reply,
        new SamlRejection(
          NS.responder,
          'none of the requested authentication context classes can be provided',
          { sub: NS.noAuthnContext, http: 403 },
        ),
      );
    log(ctx).info(
      {
        event: 'saml.authn_request',
        sp: app.entityId,
        binding,
        requestId: id,
        forceAuthn: opts.force,
        isPassive: opts.passive,
      },
      'SAML AuthnRequest accepted',
    );
    await startSignIn(
      ctx,
      instance,
      {
        n: randomBytes(16).toString('base64url'),
        app: app.id,
        sp: app.entityId,
        id,
        acs,
        rs: relayState,
        force: opts.force,
        rank,
        ctx: opts.authnContext,
        noCreate: !opts.allowCreate && app.nameIdFormat === 'persistent',
        exp: sctx.clock.now().getTime() + REQUEST_TTL_MS,
      },
      opts.passive,
    );
  }

  /**
   * Back from the bridge. The browser's cookie names the pending request (server-side);
   * the sign-in is proven by the authorization code oidc-provider just issued to the
   * bridge for that request (client, nonce), whose acr is what the sign-in achieved. The
   * code is destroyed here (it is never redeemed).
   */
  async function cont(ctx: Context, instance: Instance) {
    const nonce = ctx.cookies.get('saml_pending', { signed: true });
    const p = nonce && ctx.query.state === nonce ? await loadPending(sctx, instance, nonce) : null;
    if (!p)
      throw new SamlRejection(
        NS.requester,
        'no pending SAML request (expired, or cookies blocked)',
      );
    ctx.cookies.set('saml_pending', null, { path: `/i/${instance.slug}/saml`, signed: true });
    await dropPending(sctx, instance, p.n);
    const app = await store.repos.samlApps.get(instance.id, p.app);
    if (!app) throw new SamlRejection(NS.requester, 'the SAML application no longer exists');
    if (typeof ctx.query.error === 'string') {
      const error = ctx.query.error.slice(0, 100);
      return refuseToSp(
        ctx,
        instance,
        app,
        p,
        new SamlRejection(NS.responder, `sign-in ended: ${error}`, { sub: NS.denied, http: 403 }),
      );
    }
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const codes = adapterFor(sctx, instance)('AuthorizationCode');
    const grant = (code && code.length <= 200 ? await codes.find(code) : undefined) as
      | {
          accountId?: string;
          acr?: string;
          clientId?: string;
          nonce?: string;
          exp?: number;
          consumed?: unknown;
        }
      | undefined;
    if (code && grant) await codes.destroy(code);
    if (
      !grant?.accountId ||
      grant.clientId !== BRIDGE_CLIENT ||
      grant.nonce !== p.n ||
      grant.consumed ||
      (typeof grant.exp === 'number' && grant.exp * 1000 <= sctx.clock.now().getTime())
    )
      throw new SamlRejection(NS.responder, 'no completed sign-in for this request', {
        http: 401,
      });
    const session = await sessionInfo(ctx, instance);
    return finish(ctx, instance, p, {
      accountId: grant.accountId,
      acr: grant.acr ?? null,
      sid: session?.accountId === grant.accountId ? session.sid : null,
    });
  }

  async function idpInitiated(ctx: Context, instance: Instance) {
    const entityId = typeof ctx.query.sp === 'string' ? ctx.query.sp : '';
    const app = entityId ? await store.repos.samlApps.getByEntityId(instance.id, entityId) : null;
    if (!app)
      throw new SamlRejection(NS.requester, `unknown service provider ${entityId}`, {
        sub: NS.denied,
        http: 404,
      });
    const rs =
      typeof ctx.query.RelayState === 'string' ? ctx.query.RelayState.slice(0, 1024) : null;
    if (!SERVING_STATES.has(instance.state))
      return renderUnavailable(ctx, instance, await clauseOf(sctx, instance));
    await startSignIn(
      ctx,
      instance,
      {
        n: randomBytes(16).toString('base64url'),
        app: app.id,
        sp: app.entityId,
        id: null,
        acs: chooseAcs(app, undefined, undefined),
        rs,
        exp: sctx.clock.now().getTime() + REQUEST_TTL_MS,
      },
      false,
    );
  }

  async function metadata(ctx: Context, instance: Instance) {
    const key = await samlKey(sctx, instance);
    ctx.type = 'application/samlmetadata+xml';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = idpEntity(sctx, instance, key, null).getMetadata();
  }

  return async (ctx, next) => {
    const m = /^\/i\/([a-z0-9][a-z0-9-]{0,62})\/saml(\/[a-z]*)$/.exec(ctx.path);
    if (!m) return next();
    const slug = m[1]!;
    const rest = m[2]!;
    const instance = await store.repos.instances.getBySlug(slug);
    if (
      !instance ||
      instance.dataKeyWrapped === null ||
      ['released', 'void'].includes(instance.state)
    )
      return next();
    ctx.state.instance = instance;
    try {
      if (rest === '/metadata' && ctx.method === 'GET') return await metadata(ctx, instance);
      if (rest === '/sso' && (ctx.method === 'GET' || ctx.method === 'POST'))
        return await sso(ctx, instance);
      if (rest === '/continue' && ctx.method === 'GET') return await cont(ctx, instance);
      if (rest === '/init' && ctx.method === 'GET') return await idpInitiated(ctx, instance);
      if (rest === '/logout' && ctx.method === 'GET') return await idpLogout(ctx, instance);
      if (rest === '/slo' && (ctx.method === 'GET' || ctx.method === 'POST'))
        return await slo(ctx, instance);
    } catch (err) {
      if (!(err instanceof SamlRejection)) throw err;
      log(ctx).warn(
        { event: 'saml.rejected', status: err.status, sub: err.sub, reason: err.message },
        'SAML request refused',
      );
      // nothing was sent to an SP (not known or not trusted yet): a page, and the record
      await audit(
        ctx,
        instance,
        rest === '/slo' || rest === '/logout' ? 'saml.slo.refused' : 'saml.sso.refused',
        err.sub === NS.denied ? 'denied' : 'failure',
        null,
        null,
        {
          endpoint: rest,
          status: err.status,
          ...(err.sub ? { sub_status: err.sub } : {}),
          reason: err.message.slice(0, 300),
        },
      );
      return refusePage(ctx, err);
    }
    return next();
  };

  async function slo(ctx: Context, instance: Instance) {
    const { binding, get } = await messageParams(ctx);
    const response = get('SAMLResponse');
    if (response) {
      // an SP's LogoutResponse during a logout we propagate: verify, then the next SP
      const rxml = decodeMessage(response, binding);
      const rapp = await store.repos.samlApps.getByEntityId(instance.id, issuerOf(rxml));
      if (!rapp) throw new SamlRejection(NS.requester, 'LogoutResponse from an unknown SP');
      const rkey = await samlKey(sctx, instance);
      let ok = true;
      try {
        await idpEntity(sctx, instance, rkey, rapp).parseLogoutResponse(
          spEntity(rapp),
          binding,
          binding === 'post'
            ? { body: { SAMLResponse: response } }
            : ({
                query: ctx.query,
                octetString: octetString(ctx.querystring, 'SAMLResponse'),
              } as never),
        );
      } catch (err) {
        ok = false;
        log(ctx).warn(
          { event: 'saml.rejected', sp: rapp.entityId, reason: (err as Error).message },
          'bad LogoutResponse',
        );
      }
      log(ctx).info(
        { event: 'saml.slo.response', sp: rapp.entityId, ok },
        'SAML LogoutResponse received',
      );
      await audit(ctx, instance, 'saml.slo.response', ok ? 'success' : 'failure', null, rapp, {
        binding,
      });
      return logoutNext(
        ctx,
        instance,
        visitsOf(ctx).filter((v) => v.a !== rapp.id),
      );
    }
    const { encoded, relayState, app, idp } = await incomingRequest(instance, binding, get);
    let parsed;
    try {
      parsed = await idp.parseLogoutRequest(
        spEntity(app),
        binding,
        binding === 'post'
          ? { body: { SAMLRequest: encoded } }
          : ({
              query: ctx.query,
              octetString: octetString(ctx.querystring, 'SAMLRequest'),
            } as never),
      );
    } catch (err) {
      throw new SamlRejection(NS.requester, `invalid logout request: ${(err as Error).message}`);
    }
    const requestId = (parsed.extract as { request?: { id?: string } }).request?.id ?? newSamlId();
    // end the shared sign-in session (the OIDC session), then the other SPs of that session
    const ended = await endSession(ctx, instance);
    const others = visitsOf(ctx).filter((v) => v.a !== app.id && (!v.s || !ended || v.s === ended));
    log(ctx).info(
      { event: 'saml.slo', sp: app.entityId, propagateTo: others.length },
      'SAML single logout',
    );
    await audit(ctx, instance, 'saml.slo', 'success', null, app, {
      initiated: 'sp',
      session_ended: ended !== null,
      sps: others.length,
    });
    const started = { a: app.id, id: requestId, rs: relayState };
    saveSlo(ctx, instance, started);
    return logoutNext(ctx, instance, others, started);
  }
}
