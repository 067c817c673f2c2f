// The caller's permissions on the open instance as a React context, and the controls that
// follow them: an action the role does not allow stays visible but inert, and points to the
// screen's note that says which permission it needs (a screen reader reads it with the control).
import { createContext, useContext, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { t } from '../i18n/index.ts';

export interface Caps {
  slug: string;
  operator: boolean;
  roles: string[];
  held: ReadonlySet<string>;
}

const CapsContext = createContext<Caps | null>(null);
export const CapsProvider = CapsContext.Provider;

export function useCaps(): Caps | null {
  return useContext(CapsContext);
}

/** `can('users:write')`; outside an instance (no context) everything is left to the server. */
export function useCan(): (perm: string) => boolean {
  const caps = useContext(CapsContext);
  return (perm) => (caps ? caps.held.has(perm) : true);
}

/** The id of the explanation of a missing permission (rendered once by `<LackingNote>`). */
export const lackId = (perm: string) => `lacks-${perm.replace(/[^a-z]/g, '-')}`;

/** Says which of `perms` the caller's roles do not grant here, and what that leaves out. */
export function LackingNote(props: { perms: string[] }) {
  const caps = useCaps();
  if (!caps) return null;
  const missing = props.perms.filter((p) => !caps.held.has(p));
  if (!missing.length) return null;
  const roles = caps.roles.join(', ') || '—';
  return (
    <div className="alert alert-info perm-note" data-testid="perm-note">
      {missing.map((p) => (
        <p key={p} id={lackId(p)}>
          {t('admin.perm.lacks', { what: t(`admin.perm.what.${p}`), perm: p, roles })}
        </p>
      ))}
    </div>
  );
}

/** Shows `children` only when the caller holds `perm` (forms and links that create things). */
export function IfCan(props: { perm: string; children: ReactNode }) {
  return useCan()(props.perm) ? <>{props.children}</> : null;
}

/** A button that needs `perm`: without it, inert (aria-disabled, still focusable) and described
 * by the screen's note naming the permission. */
export function Act(props: ButtonHTMLAttributes<HTMLButtonElement> & { perm: string }) {
  const { perm, onClick, ...rest } = props;
  const allowed = useCan()(perm);
  if (allowed) return <button type="button" {...rest} onClick={onClick} />;
  return (
    <button
      type="button"
      {...rest}
      aria-disabled="true"
      aria-describedby={lackId(perm)}
      title={t('admin.perm.needs', { perm })}
      onClick={(e) => e.preventDefault()}
    />
  );
}
