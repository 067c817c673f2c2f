// The app frame: skip link, header with the language switch and the user, navigation of the
// persona's sections, and the main region. Collapses to a single column on narrow screens.
import type { ReactNode } from 'react';
import { signOut, type Session } from '../auth.ts';
import { LANGS, setLang, t, useLang, type Lang } from '../i18n/index.ts';
import { Link } from '../router.ts';
import type { SectionDef } from './section.ts';

export function LanguageSwitch() {
  const lang = useLang();
  return (
    <label className="lang-switch">
      <span>{t('app.lang')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {l === 'en' ? 'English' : '简体中文'}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout(props: {
  session: Session;
  sections: SectionDef[];
  path: string;
  children: ReactNode;
}) {
  useLang();
  return (
    <div className="app">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          {t('app.name')}
        </Link>
        <div className="topbar-right">
          <LanguageSwitch />
          <span className="user">
            {t('app.signedInAs', { name: props.session.name })} ·{' '}
            {t(`app.persona.${props.session.persona}`)}
          </span>
          <button type="button" onClick={() => void signOut()}>
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <div className="frame">
        <nav aria-label={t('app.nav')} className="sidenav">
          {props.sections.map((s) => (
            <div key={s.prefix} className="nav-group">
              <h2>{t(`app.persona.${s.group}`)}</h2>
              <ul>
                {s.nav.map((n) => {
                  // the longest item containing the path is current (not the section's home too)
                  const within = (to: string) =>
                    props.path === to || props.path.startsWith(`${to}/`);
                  const best = s.nav
                    .filter((x) => within(x.to))
                    .sort((a, b) => b.to.length - a.to.length)[0];
                  const current = best?.to === n.to ? 'page' : undefined;
                  return (
                    <li key={n.to}>
                      <Link to={n.to} aria-current={current}>
                        {t(n.label)}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" tabIndex={-1}>
          {props.children}
        </main>
      </div>
    </div>
  );
}
