# shellcheck shell=bash
# Source this file (". scripts/node-env.sh"): it puts Node.js >= 22.13 on PATH.
# When the system node is older, it installs the npm package node@24 (which also
# ships the headers for native builds) into .tools/node24 (ignored by git) and
# points PATH and npm's native builds at it. Idempotent and quiet when nothing to do.
_idaas_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_idaas_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)' 2>/dev/null
}
if ! _idaas_node_ok; then
  _idaas_tools="$_idaas_root/.tools/node24"
  if [ ! -x "$_idaas_tools/node_modules/node/bin/node" ]; then
    echo "node-env: system node is older than 22.13; installing node@24 into .tools/node24" >&2
    mkdir -p "$_idaas_tools"
    npm install --prefix "$_idaas_tools" --no-save --no-package-lock --no-audit --no-fund node@24 >&2
  fi
  export PATH="$_idaas_tools/node_modules/node/bin:$PATH"
  _idaas_arch="$(node -p 'process.platform + "-" + process.arch')"
  if [ -d "$_idaas_tools/node_modules/node/node_modules/node-$_idaas_arch/include/node" ]; then
    # native addons (node-gyp) build against the headers of the node that runs them
    export npm_config_nodedir="$_idaas_tools/node_modules/node/node_modules/node-$_idaas_arch"
  fi
  unset _idaas_arch _idaas_tools
fi
unset -f _idaas_node_ok
unset _idaas_root
