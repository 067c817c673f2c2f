// Groups (create, rename, delete with confirmation, members) and the organisation tree:
// drag a unit onto another to move it (PATCH parent_id), or use the keyboard-accessible
// "move to…" control of each unit.
import { useState, type DragEvent } from 'react';
import { del, get, patch, post, put, useApi, type Page as ApiPage } from '../api.ts';
import { formatInstant, t } from '../i18n/index.ts';
import { ConfirmDialog, ErrorView, Loaded, Notice, Page, Table, TextField } from '../ui/index.ts';
import { ip, str, useSubmit, type User } from './common.tsx';
import { Act, IfCan, lackId, useCan } from './perm.tsx';

interface Group {
  id: string;
  name: string;
  created_at: string;
}

function Members(props: { slug: string; group: Group }) {
  const members = useApi<ApiPage<User>>(
    ip(props.slug, `/groups/${props.group.id}/members?limit=200`),
  );
  const add = useSubmit(async (f, el) => {
    const name = str(f, 'member');
    const found = (
      await get<ApiPage<User>>(ip(props.slug, `/users?q=${encodeURIComponent(name)}&limit=20`))
    ).items.find((u) => u.username === name);
    if (!found) throw new Error(t('admin.groups.noSuchUser', { name }));
    await put(ip(props.slug, `/groups/${props.group.id}/members/${found.id}`));
    el.reset();
    members.reload();
  });
  return (
    <div className="card">
      <h3>{t('admin.groups.membersOf', { name: props.group.name })}</h3>
      <Loaded resource={members}>
        {(d) =>
          d.items.length ? (
            <ul>
              {d.items.map((u) => (
                <li key={u.id}>
                  {u.username}{' '}
                  <Act
                    perm="groups:write"
                    className="small"
                    onClick={() =>
                      void del(ip(props.slug, `/groups/${props.group.id}/members/${u.id}`)).then(
                        members.reload,
                      )
                    }
                  >
                    {t('admin.groups.removeMember')}
                    <span className="sr-only"> {u.username}</span>
                  </Act>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('admin.groups.noMembers')}</p>
          )
        }
      </Loaded>
      <IfCan perm="groups:write">
        <form
          className="inline"
          onSubmit={add.onSubmit}
          aria-label={t('admin.groups.addMember')}
          noValidate
        >
          <TextField label={t('admin.users.username')} field="member" error={add.error} required />
          <button type="submit">{t('admin.groups.addMember')}</button>
        </form>
      </IfCan>
      {add.error ? <ErrorView error={add.error} /> : null}
    </div>
  );
}

export function Groups(props: { slug: string }) {
  const list = useApi<ApiPage<Group>>(ip(props.slug, '/groups?limit=200'));
  const [open, setOpen] = useState<Group | null>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const create = useSubmit(async (f, el) => {
    await post(ip(props.slug, '/groups'), { name: str(f, 'name') });
    el.reset();
    list.reload();
  });
  const remove = async (g: Group) => {
    setDeleting(null);
    try {
      await del(ip(props.slug, `/groups/${g.id}`));
      if (open?.id === g.id) setOpen(null);
      list.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('admin.groups.title')}>
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={list}>
        {(d) => (
          <Table
            caption={t('admin.groups.title')}
            rows={d.items}
            rowKey={(g) => g.id}
            empty={t('admin.groups.none')}
            columns={[
              { header: t('admin.name'), cell: (g) => g.name },
              { header: t('admin.created'), cell: (g) => formatInstant(g.created_at, false) },
              {
                header: t('admin.actions'),
                cell: (g) => (
                  <span className="row-actions">
                    <button type="button" onClick={() => setOpen(g)}>
                      {t('admin.groups.members')}
                      <span className="sr-only"> {g.name}</span>
                    </button>
                    <Act perm="groups:write" className="danger" onClick={() => setDeleting(g)}>
                      {t('admin.delete')}
                      <span className="sr-only"> {g.name}</span>
                    </Act>
                  </span>
                ),
              },
            ]}
          />
        )}
      </Loaded>
      {open ? <Members key={open.id} slug={props.slug} group={open} /> : null}
      <IfCan perm="groups:write">
        <form
          className="card"
          onSubmit={create.onSubmit}
          aria-label={t('admin.groups.create')}
          noValidate
        >
          <h2>{t('admin.groups.create')}</h2>
          <TextField label={t('admin.name')} field="name" error={create.error} required />
          {create.error ? <ErrorView error={create.error} /> : null}
          <button type="submit" className="primary">
            {t('admin.groups.createSubmit')}
          </button>
        </form>
      </IfCan>
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.groups.deleteTitle', { name: deleting?.name ?? '' })}
        lost={deleting ? [t('admin.groups.deleteLost', { name: deleting.name })] : []}
        confirmLabel={t('admin.delete')}
        irreversible
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </Page>
  );
}

interface Unit {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: string;
}

/** Ids of `id` and every unit below it (a unit cannot move under itself). */
function subtree(units: Unit[], id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units)
      if (u.parent_id && out.has(u.parent_id) && !out.has(u.id)) {
        out.add(u.id);
        grew = true;
      }
  }
  return out;
}

const ROOT = '';

export function OrgTree(props: { slug: string }) {
  const writable = useCan()('groups:write');
  const list = useApi<ApiPage<Unit>>(ip(props.slug, '/org-units?limit=200'));
  const [err, setErr] = useState<Error | null>(null);
  const [notice, setNotice] = useState('');
  const [dragging, setDragging] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Unit | null>(null);
  const create = useSubmit(async (f, el) => {
    const parent = str(f, 'parent_id');
    await post(ip(props.slug, '/org-units'), {
      name: str(f, 'name'),
      parent_id: parent || null,
    });
    el.reset();
    list.reload();
  });
  const units = list.data?.items ?? [];
  const byId = new Map(units.map((u) => [u.id, u]));
  const move = async (id: string, parent: string) => {
    setErr(null);
    const u = byId.get(id);
    if (!u || (u.parent_id ?? ROOT) === parent) return;
    if (parent && subtree(units, id).has(parent)) {
      setErr(new Error(t('admin.org.cycle')));
      return;
    }
    try {
      await patch(ip(props.slug, `/org-units/${id}`), { parent_id: parent || null });
      setNotice(
        t('admin.org.moved', {
          name: u.name,
          parent: parent ? (byId.get(parent)?.name ?? parent) : t('admin.org.top'),
        }),
      );
      list.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const remove = async (u: Unit) => {
    setDeleting(null);
    try {
      await del(ip(props.slug, `/org-units/${u.id}`));
      list.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const drop = (parent: string) => ({
    onDragOver: (e: DragEvent) => {
      if (dragging) e.preventDefault();
    },
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      e.stopPropagation();
      const id = e.dataTransfer.getData('text/plain') || dragging;
      setDragging(null);
      if (id) void move(id, parent);
    },
  });
  const children = (parent: string | null) =>
    units
      .filter(
        (u) =>
          (u.parent_id ?? null) === parent ||
          (parent === null && u.parent_id && !byId.has(u.parent_id)),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  const render = (parent: string | null, depth: number) => {
    const kids = children(parent);
    if (!kids.length) return null;
    return (
      <ul className="org-level" aria-label={depth === 0 ? t('admin.org.title') : undefined}>
        {kids.map((u) => {
          const blocked = subtree(units, u.id);
          return (
            <li key={u.id}>
              <div
                className={`org-node${dragging === u.id ? ' dragging' : ''}`}
                draggable={writable}
                onDragStart={(e) => {
                  e.dataTransfer.setData('text/plain', u.id);
                  e.dataTransfer.effectAllowed = 'move';
                  setDragging(u.id);
                }}
                onDragEnd={() => setDragging(null)}
                {...drop(u.id)}
                data-testid={`org-${u.name}`}
              >
                <span className="org-name">{u.name}</span>
                <label className="sr-only" htmlFor={`move-${u.id}`}>
                  {t('admin.org.moveTo', { name: u.name })}
                </label>
                <select
                  id={`move-${u.id}`}
                  value={u.parent_id ?? ROOT}
                  onChange={(e) => void move(u.id, e.target.value)}
                  title={t('admin.org.moveTo', { name: u.name })}
                  disabled={!writable}
                  aria-describedby={writable ? undefined : lackId('groups:write')}
                >
                  <option value={ROOT}>{t('admin.org.top')}</option>
                  {units
                    .filter((o) => !blocked.has(o.id))
                    .map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                      </option>
                    ))}
                </select>
                <Act perm="groups:write" className="danger small" onClick={() => setDeleting(u)}>
                  {t('admin.delete')}
                  <span className="sr-only"> {u.name}</span>
                </Act>
              </div>
              {render(u.id, depth + 1)}
            </li>
          );
        })}
      </ul>
    );
  };
  return (
    <Page title={t('admin.org.title')}>
      <p>{t('admin.org.text')}</p>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={list}>
        {() => (
          <div className="org-tree">
            {writable ? (
              <div className="org-root" {...drop(ROOT)} data-testid="org-root">
                {t('admin.org.dropTop')}
              </div>
            ) : null}
            {units.length ? render(null, 0) : <p className="muted">{t('admin.org.none')}</p>}
          </div>
        )}
      </Loaded>
      <IfCan perm="groups:write">
        <form
          className="card"
          onSubmit={create.onSubmit}
          aria-label={t('admin.org.create')}
          noValidate
        >
          <h2>{t('admin.org.create')}</h2>
          <TextField label={t('admin.name')} field="name" error={create.error} required />
          <div className="field">
            <label htmlFor="org-parent">{t('admin.org.parent')}</label>
            <select id="org-parent" name="parent_id">
              <option value="">{t('admin.org.top')}</option>
              {units.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
          {create.error ? <ErrorView error={create.error} /> : null}
          <button type="submit" className="primary">
            {t('admin.org.createSubmit')}
          </button>
        </form>
      </IfCan>
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.org.deleteTitle', { name: deleting?.name ?? '' })}
        lost={deleting ? [t('admin.org.deleteLost', { name: deleting.name })] : []}
        confirmLabel={t('admin.delete')}
        irreversible
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </Page>
  );
}
