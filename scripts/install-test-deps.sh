#!/usr/bin/env bash
# Installs what the integration tests need beyond npm: Dovecot (a real IMAP server), Cyrus IMAP 3.6
# (a second real server, the kind Fastmail runs), Chromium (drives the web workbench), and
# code-server 4.100.3 (a real VS Code whose extension host runs the extension; Electron cannot be
# downloaded here). Idempotent: every step checks first.
# Runs as root on CI (no stdin) or with sudo available on a desktop.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CODE_SERVER_DIR="$REPO_ROOT/.cache/code-server"
# Cyrus runs as the dovecot user, which must reach its binaries: a clone under a private folder
# (mktemp -d is 0700) would hide them, so as root they go to /opt, which everyone can traverse.
if [ "$(id -u)" -eq 0 ]; then CYRUS_DIR="/opt/mailroom-test/cyrus"; else CYRUS_DIR="$REPO_ROOT/.cache/cyrus"; fi
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi

# Debian packages, installed only when missing so a warm machine never touches apt. The fonts are
# named because --no-install-recommends would leave screenshots without readable text.
apt_packages=(dovecot-imapd chromium fonts-liberation fonts-dejavu-core ripgrep libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config openssl)
# Cyrus itself cannot be apt-installed beside Dovecot (both provide imap-server), so only the
# libraries its binaries load come from apt; sasl2-bin brings saslpasswd2 for the test users.
apt_packages+=(sasl2-bin libsasl2-modules libsasl2-modules-db libical3 libicu72 libjansson4 libxapian30 libzephyr4
  libwrap0 libpq5 libclamav12 db-util libpcre3 libsqlite3-0 libxml2 libldap-2.5-0)
apt_updated=no
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: apt-get install ${missing[*]}"
  $SUDO apt-get update -q
  apt_updated=yes
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
for cmd in dovecot chromium rg openssl saslpasswd2; do
  command -v "$cmd" >/dev/null || { echo "install-test-deps: '$cmd' still missing after apt" >&2; exit 1; }
done

# The package starts a system Dovecot on ports 143/993; tests run private instances instead,
# so the system one only wastes memory and ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dovecot 2>/dev/null; then
  $SUDO systemctl stop dovecot || true
  $SUDO systemctl disable dovecot >/dev/null 2>&1 || true
fi
if [ -f /run/dovecot/master.pid ] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
  $SUDO dovecot stop || true
fi

# Cyrus IMAP: its two .debs unpacked into .cache/cyrus, never installed (see above). The tests run
# ROOT/usr/lib/cyrus/bin/master with LD_LIBRARY_PATH=ROOT/usr/lib/x86_64-linux-gnu:ROOT/usr/lib.
cyrus_master="$CYRUS_DIR/usr/lib/cyrus/bin/master"
if [ -x "$cyrus_master" ]; then
  echo "install-test-deps: Cyrus IMAP already in $CYRUS_DIR"
else
  # A fresh CI image has no package lists; a warm one that already ran apt-get update needs none.
  if [ "$apt_updated" = no ] && ! apt-cache show cyrus-imapd >/dev/null 2>&1; then
    $SUDO apt-get update -q
  fi
  echo "install-test-deps: unpacking cyrus-imapd and cyrus-common into $CYRUS_DIR"
  cyrus_debs="$(mktemp -d)"
  # Unpacked beside the final folder, then renamed: an interrupted run never looks installed.
  mkdir -p "$(dirname "$CYRUS_DIR")"
  cyrus_staging="$(mktemp -d "$CYRUS_DIR.partial.XXXXXX")"
  (cd "$cyrus_debs" && chmod 777 . && apt-get download -q cyrus-imapd cyrus-common </dev/null)
  for deb in "$cyrus_debs"/*.deb; do dpkg-deb -x "$deb" "$cyrus_staging"; done
  rm -rf "$cyrus_debs" "$CYRUS_DIR"
  chmod 755 "$cyrus_staging"
  mv "$cyrus_staging" "$CYRUS_DIR"
fi
# Every library the binaries need must resolve, or the tests would fail with a cryptic exit code.
cyrus_unresolved="$(LD_LIBRARY_PATH="$CYRUS_DIR/usr/lib/x86_64-linux-gnu:$CYRUS_DIR/usr/lib" \
  ldd "$cyrus_master" "$CYRUS_DIR/usr/lib/cyrus/bin/imapd" | grep 'not found' || true)"
if [ -n "$cyrus_unresolved" ]; then
  echo "install-test-deps: Cyrus libraries missing:" >&2
  echo "$cyrus_unresolved" >&2
  exit 1
fi

installed_version() {
  node -p "require('$CODE_SERVER_DIR/node_modules/code-server/package.json').version" 2>/dev/null || true
}
if [ -x "$CODE_SERVER_DIR/node_modules/.bin/code-server" ] && [ "$(installed_version)" = "$CODE_SERVER_VERSION" ]; then
  echo "install-test-deps: code-server $CODE_SERVER_VERSION already in .cache/code-server"
  exit 0
fi

# @vscode/ripgrep downloads rg from GitHub unless it finds this cached archive first;
# GitHub is unreachable here, so we hand it Debian's rg in the archive layout it expects.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$rg_archive" ]; then
  mkdir -p "$rg_cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$rg_archive" -C "$staging" rg
  rm -rf "$staging"
fi

echo "install-test-deps: installing code-server@$CODE_SERVER_VERSION into .cache/code-server (about 1 minute)"
mkdir -p "$CODE_SERVER_DIR"
cd "$CODE_SERVER_DIR"
# A package.json of its own keeps code-server out of the extension's dependency tree and lockfile.
[ -f package.json ] || echo '{ "name": "mailroom-code-server", "private": true }' > package.json
npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --save-exact --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" </dev/null
test -x node_modules/.bin/code-server
# (Not `code-server --version`: it writes a default config file into ~/.config.)
echo "install-test-deps: code-server $(installed_version) ready"
