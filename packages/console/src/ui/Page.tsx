// A screen's heading: sets the document title and, after an in-app navigation, moves the
// keyboard focus to the heading so screen-reader and keyboard users start at the new content.
import { useEffect, useRef, type ReactNode } from 'react';
import { consumeRouteChange } from '../router.ts';
import { t } from '../i18n/index.ts';

export function Page(props: { title: string; actions?: ReactNode; children: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · ${t('app.name')}`;
  }, [props.title]);
  useEffect(() => {
    if (consumeRouteChange()) h1.current?.focus();
  }, []);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" ref={h1} tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions ? <div className="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}
