// The root: sign-in, the OIDC callback, then the persona's sections in the layout.
import {
  Component,
  lazy,
  Suspense,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ComponentType,
  type ReactNode,
} from 'react';
import {
  completeSignIn,
  getSession,
  onSessionChange,
  rememberedPersona,
  signIn,
  SignInError,
  type Persona,
} from '../auth.ts';
import { getLang, t, useLang } from '../i18n/index.ts';
import { prefetchMe } from '../permissions.ts';
import { navigate, PORTAL_SLUG, useLocation } from '../router.ts';
import { ErrorView, Loading, Page } from '../ui/index.ts';
import { Layout, LanguageSwitch } from './Layout.tsx';
import type { SectionDef, SectionProps } from './section.ts';
import { SECTIONS } from './sections.ts';

const lazyCache = new Map<SectionDef, ComponentType<SectionProps>>();
function sectionComponent(s: SectionDef): ComponentType<SectionProps> {
  let c = lazyCache.get(s);
  if (!c) {
    c = lazy(s.load);
    lazyCache.set(s, c);
  }
  return c;
}

function SignInScreen(props: { error?: string }) {
  useLang();
  const [busy, setBusy] = useState(false);
  const go = (p: Persona) => {
    setBusy(true);
    void signIn(p, { lang: getLang() }).catch(() => setBusy(false));
  };
  return (
    <main id="main" className="signin" tabIndex={-1}>
      <div className="signin-card">
        <LanguageSwitch />
        <h1>{t('signin.title')}</h1>
        <p>{t('signin.text')}</p>
        {props.error ? (
          <p className="alert alert-error" role="alert">
            {t('signin.failed', { reason: props.error })}
          </p>
        ) : null}
        <div className="signin-actions">
          {PORTAL_SLUG ? (
            <button type="button" className="primary" disabled={busy} onClick={() => go('user')}>
              {t('signin.portal')}
            </button>
          ) : (
            <>
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => go('operator')}
              >
                {t('signin.operator')}
              </button>
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => go('customer')}
              >
                {t('signin.customer')}
              </button>
            </>
          )}
        </div>
      </div>
    </main>
  );
}

function Callback(props: { onFailed: (reason: string) => void }) {
  useEffect(() => {
    let live = true;
    completeSignIn().then(
      (to) => live && navigate(to, { replace: true }),
      (e: unknown) => {
        if (!live) return;
        sessionStorage.removeItem('idaas.console.persona');
        navigate('/', { replace: true });
        const silentMiss =
          e instanceof SignInError &&
          ['login_required', 'consent_required', 'interaction_required'].includes(e.code);
        props.onFailed(silentMiss ? '' : e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
    // runs once: the code in the URL can be exchanged only once
  }, []);
  return (
    <main id="main" className="signin">
      <p role="status">{t('signin.redirecting')}</p>
    </main>
  );
}

function NotFound() {
  return (
    <Page title={t('app.notFound')}>
      <p>{t('app.notFoundText')}</p>
    </Page>
  );
}

export function App() {
  useLang();
  const session = useSyncExternalStore(onSessionChange, getSession);
  const { path, query } = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const [autoTried] = useState(() => ({ done: false }));

  const sections = useMemo(
    () => (session ? SECTIONS.filter((s) => s.personas.includes(session.persona)) : []),
    [session],
  );
  // what the caller may do, once after sign-in (the admin screens follow it)
  useEffect(() => {
    if (session && session.persona !== 'user') prefetchMe();
  }, [session]);

  if (path === '/callback') return <Callback onFailed={(r) => setFailure(r)} />;
  if (!session) {
    const persona = rememberedPersona();
    if (persona && failure === null && !autoTried.done) {
      // a reload: ask the provider again without a prompt (its session may still be alive)
      autoTried.done = true;
      void signIn(persona, { silent: true, returnTo: path + (query.size ? `?${query}` : '') });
      return (
        <main id="main" className="signin">
          <p role="status">{t('signin.redirecting')}</p>
        </main>
      );
    }
    return <SignInScreen error={failure || undefined} />;
  }

  if (path === '/') {
    const home = sections.map((s) => s.home?.[session.persona]).find(Boolean);
    if (home) {
      queueMicrotask(() => navigate(home, { replace: true }));
      return <Loading />;
    }
  }
  const section = sections.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`));
  const Section = section ? sectionComponent(section) : null;
  return (
    <Layout session={session} sections={sections} path={path}>
      <ErrorBoundary key={section?.prefix ?? 'none'}>
        <Suspense fallback={<Loading />}>
          {Section ? <Section path={path} query={query} /> : <NotFound />}
        </Suspense>
      </ErrorBoundary>
    </Layout>
  );
}

class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    return this.state.error ? <ErrorView error={this.state.error} /> : this.props.children;
  }
}
