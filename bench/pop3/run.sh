#!/usr/bin/env bash
# POP3 benchmark: Postbode against Dovecot, side by side, one command.
# Installs Dovecot's POP3 server when missing (without starting Debian's own
# service, whose stock configuration listens on every address). Results are
# appended to bench/pop3/RESULTS.md; bench/pop3/work is rebuilt each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v dovecot >/dev/null; then
  echo "Installing Dovecot (Debian packages dovecot-pop3d, dovecot-imapd; service not started)..."
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-pop3d dovecot-imapd >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
npm run build:server --silent
node dist/bench/pop3/bench.js
