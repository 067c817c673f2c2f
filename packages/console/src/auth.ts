// Sign-in through our own OIDC provider: authorization code + PKCE (oauth4webapi) against the
// platform instance, public client `idaas-console`, resource indicator `${origin}/api/v1`.
//
// Tokens live in memory only (no refresh token is stored anywhere): after a reload the app
// asks the provider again with prompt=none, which answers at once while the provider's own
// session lasts; when it has ended the user sees the sign-in screen.
import * as oauth from 'oauth4webapi';
import { BASE, PORTAL_SLUG } from './router.ts';

/** `user`: an end user of an instance, in the portal (/i/:slug/portal). */
export type Persona = 'operator' | 'customer' | 'user';

// the portal signs in to its own instance with that instance's internal client `portal`
export const CLIENT_ID = PORTAL_SLUG ? 'portal' : 'idaas-console';
export const ADMIN_SCOPE = 'idaas:admin';
export const ACCOUNT_SCOPE = 'idaas:account';

const SCOPES: Record<Persona, string> = {
  operator: `openid profile ${ADMIN_SCOPE}`,
  customer: `openid profile ${ACCOUNT_SCOPE}`,
  user: 'openid profile email',
};

export interface Session {
  accessToken: string;
  idToken: string | null;
  scopes: string[];
  persona: Persona;
  sub: string;
  name: string;
}

const origin = location.origin;
const issuer = new URL(PORTAL_SLUG ? `${origin}/i/${PORTAL_SLUG}` : `${origin}/i/platform`);
export const API_RESOURCE = `${origin}/api/v1`;
const redirectUri = `${origin}${BASE}/callback`;
const client: oauth.Client = { client_id: CLIENT_ID };
// http:// is allowed only on the server's own origin (development and tests on 127.0.0.1)
const insecure = { [oauth.allowInsecureRequests]: location.protocol === 'http:' };

const PENDING = 'idaas.console.pending';
const PERSONA = 'idaas.console.persona';

let discovered: Promise<oauth.AuthorizationServer> | null = null;
function server(): Promise<oauth.AuthorizationServer> {
  discovered ??= oauth
    .discoveryRequest(issuer, insecure)
    .then((r) => oauth.processDiscoveryResponse(issuer, r))
    .catch((e: unknown) => {
      discovered = null;
      throw e;
    });
  return discovered;
}

let session: Session | null = null;
const listeners = new Set<() => void>();

export function getSession(): Session | null {
  return session;
}
export function onSessionChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
function setSession(s: Session | null): void {
  session = s;
  for (const l of listeners) l();
}

/** The persona the user last signed in as (remembered for the silent sign-in after a reload). */
export function rememberedPersona(): Persona | null {
  const p = sessionStorage.getItem(PERSONA);
  return p === 'operator' || p === 'customer' || p === 'user' ? p : null;
}

/** Redirects to the provider's authorization endpoint. */
export async function signIn(
  persona: Persona,
  opts: { silent?: boolean; returnTo?: string; lang?: string } = {},
): Promise<void> {
  // the portal's client is created by the instance on first use (GET /i/:slug/api/portal)
  if (PORTAL_SLUG) await fetch(`${origin}/i/${PORTAL_SLUG}/api/portal`);
  const as = await server();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(
    PENDING,
    JSON.stringify({ verifier, state, persona, returnTo: opts.returnTo ?? '/' }),
  );
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('client_id', CLIENT_ID);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', SCOPES[persona]);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  if (!PORTAL_SLUG) url.searchParams.set('resource', API_RESOURCE);
  if (opts.lang) url.searchParams.set('ui_locales', opts.lang);
  if (opts.silent) url.searchParams.set('prompt', 'none');
  location.assign(url.href);
}

export class SignInError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Completes the sign-in on /callback; returns the in-app path to go back to. */
export async function completeSignIn(): Promise<string> {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (!raw) throw new SignInError('no_pending', 'no sign-in in progress');
  const pending = JSON.parse(raw) as {
    verifier: string;
    state: string;
    persona: Persona;
    returnTo: string;
  };
  const as = await server();
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
  } catch (e) {
    const code =
      e instanceof oauth.AuthorizationResponseError ? e.error : 'invalid_authorization_response';
    throw new SignInError(code, e instanceof Error ? e.message : String(e));
  }
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri,
    pending.verifier,
    { ...insecure, ...(PORTAL_SLUG ? {} : { additionalParameters: { resource: API_RESOURCE } }) },
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  const claims = oauth.getValidatedIdTokenClaims(result);
  const scopes = (result.scope ?? '').split(' ').filter(Boolean);
  const persona: Persona = PORTAL_SLUG
    ? 'user'
    : scopes.includes(ADMIN_SCOPE)
      ? 'operator'
      : 'customer';
  sessionStorage.setItem(PERSONA, pending.persona);
  setSession({
    accessToken: result.access_token,
    idToken: result.id_token ?? null,
    scopes,
    persona,
    sub: claims?.sub ?? '',
    name: String(claims?.name ?? claims?.preferred_username ?? claims?.sub ?? ''),
  });
  return pending.returnTo.startsWith('/') ? pending.returnTo : '/';
}

/** Forgets the tokens and ends the provider's session through its end-session endpoint. */
export async function signOut(): Promise<void> {
  const idToken = session?.idToken ?? null;
  sessionStorage.removeItem(PERSONA);
  setSession(null);
  const as = await server();
  if (!as.end_session_endpoint) {
    location.assign(`${BASE}/`);
    return;
  }
  const url = new URL(as.end_session_endpoint);
  url.searchParams.set('client_id', CLIENT_ID);
  url.searchParams.set('post_logout_redirect_uri', `${origin}${BASE}/`);
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  location.assign(url.href);
}

/** The access token expired or was revoked: sign in again silently, coming back here. */
export function reauthenticate(): void {
  const persona = session?.persona ?? rememberedPersona() ?? 'customer';
  setSession(null);
  void signIn(persona, {
    silent: true,
    returnTo: location.pathname.slice(BASE.length) + location.search,
  });
}
