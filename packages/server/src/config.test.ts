// Configuration: one schema, defaults as the README's table says, and an error that
// names the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '@idaas/core';
import { loadConfig } from './config.ts';

const kek = randomBytes(32).toString('base64');
const names = (fn: () => unknown, variable: string) =>
  assert.throws(
    fn,
    (e) =>
      e instanceof AppError &&
      e.issues[0]?.field === variable &&
      e.detail.startsWith(`${variable}:`),
  );

test('defaults', () => {
  const c = loadConfig({ IDAAS_KEK: kek });
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.databaseUrl, 'sqlite:./data/idaas.db');
  assert.equal(c.schedulerIntervalMs, 1000);
  assert.deepEqual(c.supportResponseHours, [1, 4, 24, 72]);
  assert.equal(c.notices.smtpUrl, null);
  assert.deepEqual(c.warnings, []);
});

test('an invalid value names its variable', () => {
  names(() => loadConfig({ IDAAS_KEK: kek, PORT: 'eighty' }), 'PORT');
  names(() => loadConfig({ IDAAS_KEK: kek, SMTP_URL: 'http://mail' }), 'SMTP_URL');
  names(
    () => loadConfig({ IDAAS_KEK: kek, SUPPORT_RESPONSE_HOURS: '1,2' }),
    'SUPPORT_RESPONSE_HOURS',
  );
  names(() => loadConfig({ IDAAS_KEK: 'c2hvcnQ=' }), 'IDAAS_KEK');
  names(() => loadConfig({ NODE_ENV: 'production' }), 'IDAAS_KEK');
});

test('without IDAAS_KEK outside production: a development key kept in a file, with a warning', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'idaas-config-')), 'kek');
  const a = loadConfig({ IDAAS_KEK_FILE: file });
  const b = loadConfig({ IDAAS_KEK_FILE: file });
  assert.equal(a.kek, b.kek, 'the same key on the next start');
  assert.match(a.warnings.join('\n'), /IDAAS_KEK is not set/);
});
