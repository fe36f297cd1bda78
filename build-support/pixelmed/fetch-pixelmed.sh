#!/usr/bin/env bash
# Puts a PixelMed jar at $2 so the build can install it as com.pixelmed:$4:$1.
#   $3 Debian package (default libpixelmed-java), $4 artifact and jar base name (default pixelmed),
#   $5 environment variable that may name the jar instead (default PIXELMED_JAR).
# Order of preference: that variable, the local Maven repository, the installed Debian package,
# then `apt-get download PACKAGE` unpacked with dpkg-deb (no root needed).
set -euo pipefail
version="$1"; out="$2"; package="${3:-libpixelmed-java}"; artifact="${4:-pixelmed}"; var="${5:-PIXELMED_JAR}"
mkdir -p "$(dirname "$out")"
m2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}/com/pixelmed/$artifact/$version/$artifact-$version.jar"

# Debian's jar names absolute /usr/share/java/*.jar files in its manifest Class-Path (an old slf4j among them,
# which breaks Spark's logging bridge). Maven manages those dependencies, so the installed jar must not carry it.
use() {
  local src="$1" tmp; tmp="$(mktemp -d)"
  local jar="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
  mkdir -p "$tmp/x" && (cd "$tmp/x" && "$jar" xf "$src")
  grep -v -e '^Class-Path:' -e '^ ' "$tmp/x/META-INF/MANIFEST.MF" | grep -v '^[[:space:]]*$' > "$tmp/manifest.txt" || true
  rm -f "$tmp/x/META-INF/MANIFEST.MF"
  "$jar" cfm "$out.tmp" "$tmp/manifest.txt" -C "$tmp/x" .
  mv -f "$out.tmp" "$out"; rm -rf "$tmp"
  echo "[pixelmed] using $src (manifest Class-Path removed)"; exit 0
}

given="${!var:-}"
[ -n "$given" ] && { [ -f "$given" ] || { echo "[pixelmed] $var=$given does not exist" >&2; exit 1; }; use "$given"; }
[ -f "$out" ] && { echo "[pixelmed] already fetched: $out"; exit 0; }
[ -f "$m2" ] && use "$m2"
if [ -f "/usr/share/java/$artifact.jar" ] && dpkg-query -W -f='${Version}' "$package" 2>/dev/null | grep -q "^$version"; then
  use "/usr/share/java/$artifact.jar"
fi

command -v apt-get >/dev/null || {
  cat >&2 <<MSG
[pixelmed] Cannot fetch $artifact: this is not a Debian/Ubuntu machine (no apt-get).
Fix: download $artifact $version (https://www.dclunie.com/pixelmed/software/ or Debian's $package
package) and run the build with $var=/path/to/$artifact.jar, or install it yourself:
  mvn install:install-file -Dfile=$artifact.jar -DgroupId=com.pixelmed -DartifactId=$artifact -Dversion=$version -Dpackaging=jar
MSG
  exit 1; }

work="$(dirname "$out")/$artifact-deb"
rm -rf "$work"; mkdir -p "$work"
fetch() { (cd "$work" && apt-get download "$package" >/dev/null 2>"$work/apt.err"); }
if ! fetch; then
  if [ "$(id -u)" = 0 ]; then
    echo "[pixelmed] apt-get download failed; refreshing package lists (apt-get update)"
    apt-get update -qq >/dev/null 2>&1 || true
    fetch || { echo "[pixelmed] apt-get download $package failed:" >&2; cat "$work/apt.err" >&2; exit 1; }
  else
    echo "[pixelmed] apt-get download $package failed (package lists may be empty; run 'sudo apt-get update', or set $var):" >&2
    cat "$work/apt.err" >&2; exit 1
  fi
fi
deb=$(ls "$work"/"$package"_*.deb | head -1)
got=$(basename "$deb" | sed -E "s/^${package}_([0-9]+).*/\\1/")
[ "$got" = "$version" ] || echo "[pixelmed] warning: apt offers $package $got, the build expects $version; installing it as $version" >&2
dpkg-deb -x "$deb" "$work/root"
jar="$work/root/usr/share/java/$artifact.jar"
[ -f "$jar" ] || jar=$(find "$work/root" -name "$artifact*.jar" | head -1)
[ -f "$jar" ] || { echo "[pixelmed] no pixelmed jar inside $deb" >&2; exit 1; }
use "$jar"
