// Static scripts of the WebAuthn pages: @simplewebauthn/browser's bundle and a small glue
// script that runs the ceremony on submit of a `form[data-webauthn]` and posts the result
// as the hidden `credential` field. Served same-origin; pages allow them by nonce.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Middleware } from 'koa';

export const WEBAUTHN_SCRIPTS = ['/assets/mfa/webauthn-browser.js', '/assets/mfa/webauthn-page.js'];

const GLUE = `(function () {
  var data = document.getElementById('webauthn-options');
  var form = document.querySelector('form[data-webauthn]');
  if (!data || !form || !window.SimpleWebAuthnBrowser) return;
  form.addEventListener('submit', function (ev) {
    var field = form.querySelector('input[name=credential]');
    if (!field || field.value) return;
    ev.preventDefault();
    var opts = JSON.parse(data.textContent);
    var b = window.SimpleWebAuthnBrowser;
    var run = form.getAttribute('data-webauthn') === 'register'
      ? b.startRegistration({ optionsJSON: opts })
      : b.startAuthentication({ optionsJSON: opts });
    run.then(function (r) {
      field.value = JSON.stringify(r);
      form.submit();
    }, function () {
      var out = document.getElementById('webauthn-error');
      if (out) out.hidden = false;
    });
  });
})();
`;

let bundle: string | null = null;
function browserBundle(): string {
  if (bundle === null) {
    const require = createRequire(import.meta.url);
    const main = pathToFileURL(require.resolve('@simplewebauthn/browser'));
    bundle = readFileSync(new URL('../dist/bundle/index.umd.min.js', main), 'utf8');
  }
  return bundle;
}

export function mfaAssets(): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || !ctx.path.startsWith('/assets/mfa/')) return next();
    if (ctx.path === WEBAUTHN_SCRIPTS[0]) ctx.body = browserBundle();
    else if (ctx.path === WEBAUTHN_SCRIPTS[1]) ctx.body = GLUE;
    else return next();
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('X-Content-Type-Options', 'nosniff');
  };
}

/** Options JSON embedded in a page for the glue script (not executed: type application/json). */
export function optionsBlock(options: unknown): string {
  const json = JSON.stringify(options).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `<script type="application/json" id="webauthn-options">${json}</script>`;
}
