// Branding and user imports through the admin API (issue 7), on every store: contrast and
// logo checks naming fields and writing nothing, the hosted pages wearing the branding, a
// CSV import validated in full (errors by line and column, nothing written) and then run
// by the durable jobs to the end, with its audit records.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableStoreKinds } from '@idaas/storage';
import { startApi, type ApiHarness } from './fixtures.ts';
import { contrast } from '../branding/index.ts';

const PNG_1PX =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const fieldsOf = (r: { json: Record<string, unknown> }) =>
  ((r.json.errors ?? r.json.issues ?? []) as { field: string }[]).map((i) => i.field);

for (const kind of availableStoreKinds()) {
  describe(`branding and user imports on ${kind}`, () => {
    let h: ApiHarness;
    const S = '/instances/brand';
    before(async () => {
      h = await startApi(kind);
      assert.equal((await h.api('POST', '/instances', { slug: 'brand' })).status, 201);
    });
    after(() => h.close());

    test('contrast is WCAG 2.x', () => {
      assert.equal(Math.round(contrast('#000000', '#ffffff') * 10) / 10, 21);
      assert.equal(contrast('#777777', '#777777'), 1);
      // #767676 on white is the well-known 4.54:1 grey
      assert.ok(Math.abs(contrast('#767676', '#ffffff') - 4.54) < 0.01);
    });

    test('defaults, then a branding that passes AA shows on the hosted pages', async () => {
      const d = await h.api('GET', `${S}/branding`);
      assert.equal(d.status, 200);
      assert.equal(d.json.custom, false);
      const put = await h.api('PUT', `${S}/branding`, {
        primary_color: '#1A7F37',
        background_color: '#ffffff',
        logo: PNG_1PX,
      });
      assert.equal(put.status, 200, JSON.stringify(put.json));
      assert.equal(put.json.primary_color, '#1a7f37');
      assert.equal(put.json.custom, true);
      // a hosted page of the instance (the forgot-password page) wears it, within the nonce'd style
      let page = '';
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${h.server.url}/i/brand/password/forgot`);
        page = await res.text();
        if (page.includes('#1a7f37')) break;
        await new Promise((r) => setTimeout(r, 100)); // the per-slug cache lives ~2 s
      }
      assert.match(page, /<style nonce="[^"]+">[^<]*button\{background:#1a7f37/);
      assert.match(page, /<img class="brand-logo" src="data:image\/png;base64,/);
      // a later PUT without logo keeps it
      const keep = await h.api('PUT', `${S}/branding`, {
        primary_color: '#0b5cad',
        background_color: '#f3f4f6',
      });
      assert.equal(keep.json.logo, PNG_1PX);
    });

    test('failing contrast or a bad logo: 400 naming the field, nothing changed', async () => {
      const before = (await h.api('GET', `${S}/branding`)).json;
      const pale = await h.api('PUT', `${S}/branding`, {
        primary_color: '#7fb3ff',
        background_color: '#ffffff',
      });
      assert.equal(pale.status, 400);
      assert.ok(fieldsOf(pale).includes('primary_color'), JSON.stringify(pale.json));
      const dark = await h.api('PUT', `${S}/branding`, {
        primary_color: '#0b5cad',
        background_color: '#222222',
      });
      assert.equal(dark.status, 400);
      assert.ok(fieldsOf(dark).includes('background_color'));
      const svg = await h.api('PUT', `${S}/branding`, {
        primary_color: '#0b5cad',
        background_color: '#ffffff',
        logo: 'data:image/svg+xml;base64,PHN2Zy8+',
      });
      assert.equal(svg.status, 400);
      assert.deepEqual(fieldsOf(svg), ['logo']);
      const fake = await h.api('PUT', `${S}/branding`, {
        primary_color: '#0b5cad',
        background_color: '#ffffff',
        logo: `data:image/png;base64,${Buffer.from('GIF89a not a png').toString('base64')}`,
      });
      assert.equal(fake.status, 400);
      const colour = await h.api('PUT', `${S}/branding`, {
        primary_color: 'red',
        background_color: '#ffffff',
      });
      assert.equal(colour.status, 400);
      assert.ok(fieldsOf(colour).includes('primary_color'));
      assert.deepEqual((await h.api('GET', `${S}/branding`)).json, before);
    });

    test('preview renders candidate colours without saving them', async () => {
      const r = await h.api('POST', `${S}/branding/preview`, {
        primary_color: '#8250df',
        background_color: '#ffffff',
      });
      assert.equal(r.status, 200);
      assert.match(String(r.body), /button\{background:#8250df/);
      assert.match(r.headers.get('content-security-policy') ?? '', /style-src 'nonce-/);
      assert.notEqual((await h.api('GET', `${S}/branding`)).json.primary_color, '#8250df');
      const bad = await h.api('POST', `${S}/branding/preview`, {
        primary_color: '#ffff00',
        background_color: '#ffffff',
      });
      assert.equal(bad.status, 400);
    });

    test('an invalid CSV is refused whole, errors by line and column', async () => {
      const existing = await h.api('POST', `${S}/users`, { username: 'taken' });
      assert.equal(existing.status, 201);
      const csv = [
        'username,email,status',
        'ok-one,one@example.com,enabled',
        ',two@example.com,enabled', // line 3: username missing
        'taken,,', // line 4: exists
        'ok-five,not-an-email,enabled', // line 5: email
        'ok-one,six@example.com,locked', // line 6: repeats line 2
        '"quoted, name",x@example.com,sleeping', // line 7: username and status
      ].join('\r\n');
      const r = await h.api('POST', `${S}/user-imports`, { csv });
      assert.equal(r.status, 400, JSON.stringify(r.json));
      const errors = r.json.row_errors as { line: number; column: string | null }[];
      assert.ok((r.json.errors as { field: string }[]).every((e) => e.field === 'csv'));
      const at = errors.map((e) => `${e.line}:${e.column}`);
      for (const want of ['3:username', '4:username', '5:email', '6:username', '7:status'])
        assert.ok(at.includes(want), `${want} in ${at.join(' ')}`);
      assert.ok(!at.some((a) => a.startsWith('2:')), 'line 2 is fine');
      const list = await h.api('GET', `${S}/users?q=ok-`);
      assert.deepEqual(list.json.items, [], 'nothing was written');
      const header = await h.api('POST', `${S}/user-imports`, { csv: 'login,email\nx,y\n' });
      assert.equal(header.status, 400);
      assert.equal((header.json.row_errors as { column: string }[])[0]!.column, 'login');
      const both = await h.api('POST', `${S}/user-imports`, { csv: 'username\na\n', rows: [] });
      assert.equal(both.status, 400);
    });

    test('a valid import runs in the background to the end, with progress', async () => {
      const lines = ['username,email,display_name,email_verified'];
      for (let i = 0; i < 250; i++)
        lines.push(
          `imp-${i},imp-${i}@example.com,"Imported, No. ${i}",${i % 2 ? 'true' : 'false'}`,
        );
      const r = await h.api('POST', `${S}/user-imports`, { csv: lines.join('\n') });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.equal(r.json.total, 250);
      assert.equal(r.json.status, 'queued');
      const id = r.json.id as string;
      const seenDone = new Set<number>();
      let last: Record<string, unknown> = r.json;
      for (let i = 0; i < 600 && last.status !== 'done'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        last = (await h.api('GET', `${S}/user-imports/${id}`)).json;
        seenDone.add(last.done as number);
      }
      assert.equal(last.status, 'done', JSON.stringify(last));
      assert.equal(last.created, 250);
      assert.equal(last.failed, 0);
      assert.ok(
        [...seenDone].every((n) => n % 100 === 0 || n === 250),
        'chunks of 100',
      );
      const u = await h.api('GET', `${S}/users?q=imp-17`);
      const items = u.json.items as { username: string; display_name: string }[];
      assert.ok(
        items.some((x) => x.username === 'imp-17' && x.display_name === 'Imported, No. 17'),
      );
      const list = await h.api('GET', `${S}/user-imports`);
      assert.ok((list.json.items as { id: string }[]).some((x) => x.id === id));
      // the sealed rows are gone once done
      const inst = await h.server.sctx.core.instances.get('brand');
      assert.equal(
        (await h.server.sctx.store.repos.userImports.get(inst.id, id))?.rowsSealed,
        null,
      );
    });
  });
}
