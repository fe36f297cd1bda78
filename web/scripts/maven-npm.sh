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

command -v node >/dev/null 2>&1 || fail "'node' was not found on PATH."
command -v npm >/dev/null 2>&1 || fail "'npm' was not found on PATH."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node.js $(node --version) is too old."

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
