// Apache httpd standalone on 127.0.0.1 for interoperability tests (see
// ../shared/notes/interop-apache.md): installed from Debian's packages when missing
// (failing, not skipping, when that is impossible), configured in a temp dir, run in
// the foreground as a child process of the test.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const APACHE = '/usr/sbin/apache2';
export const MODULES = '/usr/lib/apache2/modules';

/** Makes sure apache2 and `pkg` are installed (`files` are what the test needs from them). */
export function ensureApache(pkg: string, files: string[]): void {
  if ([APACHE, ...files].every((f) => existsSync(f))) return;
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'apache2', pkg], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0 || ![APACHE, ...files].every((f) => existsSync(f)))
    throw new Error(`apache2 + ${pkg} are required and could not be installed`);
}

/** A temp dir the worker user can write (PidFile, runtime dir, logs). */
export function apacheDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return dir;
}

export interface RunningApache {
  base: string;
  /** What Apache wrote to stderr and its error log, for assertion messages. */
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Writes httpd.conf in `dir` (modules, runtime files and an htdocs with server-side
 * includes, then `extra`), checks it, starts Apache on `port` and waits until it answers.
 */
export async function startApache(opts: {
  dir: string;
  port: number;
  module: string;
  logLevel: string;
  extra: string[];
}): Promise<RunningApache> {
  const { dir, port } = opts;
  const load = (m: string) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`;
  writeFileSync(
    join(dir, 'httpd.conf'),
    [
      'ServerRoot "/etc/apache2"',
      'ServerName 127.0.0.1',
      `Listen 127.0.0.1:${port}`,
      ...[
        'mpm_event',
        'authn_core',
        'authz_core',
        'authz_user',
        'mime',
        'dir',
        'headers',
        'include',
        opts.module,
      ].map(load),
      'User www-data',
      'Group www-data',
      `PidFile ${dir}/httpd.pid`,
      `DefaultRuntimeDir ${dir}`,
      `Mutex file:${dir} default`,
      `ErrorLog ${dir}/error.log`,
      `LogLevel ${opts.logLevel}`,
      'TypesConfig /etc/mime.types',
      `DocumentRoot ${dir}/htdocs`,
      `<Directory ${dir}/htdocs>`,
      '  Options +Includes',
      '  AddType text/html .shtml',
      '  AddOutputFilter INCLUDES .shtml',
      '  DirectoryIndex index.shtml index.html',
      '  Require all granted',
      '</Directory>',
      ...opts.extra,
      '',
    ].join('\n'),
  );
  const check = spawnSync(APACHE, ['-t', '-f', join(dir, 'httpd.conf')], { encoding: 'utf8' });
  assert.equal(check.status, 0, `apache config check failed:\n${check.stderr}`);
  let stderr = '';
  const child: ChildProcess = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-D', 'FOREGROUND'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  const running: RunningApache = {
    base,
    errorLog() {
      try {
        return `${stderr}\n${readFileSync(join(dir, 'error.log'), 'utf8')}`;
      } catch {
        return stderr;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/`)).ok) return running;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
  await running.stop().catch(() => {});
  throw new Error(`apache did not start:\n${stderr}`);
}
