#!/usr/bin/env bash
# Installs what the integration tests need beyond npm: Dovecot (a real IMAP server), Chromium
# (drives the web workbench), and code-server 4.100.3 (a real VS Code whose extension host runs
# the extension; Electron cannot be downloaded here). Idempotent: every step checks first.
# Runs as root on CI (no stdin) or with sudo available on a desktop.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CODE_SERVER_DIR="$REPO_ROOT/.cache/code-server"
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi

# Debian packages, installed only when missing so a warm machine never touches apt. The fonts are
# named because --no-install-recommends would leave screenshots without readable text.
apt_packages=(dovecot-imapd chromium fonts-liberation fonts-dejavu-core ripgrep libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config openssl)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: apt-get install ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
for cmd in dovecot chromium rg openssl; do
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
