#!/usr/bin/env bash
# IMAP benchmark: Postbode's IMAP against Dovecot (Maildir), side by side, one command.
# Needs root for Dovecot (and apt-get to install it when missing). Results are
# appended to bench/imap/RESULTS.md; the work folder bench/imap/work is rebuilt each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v dovecot >/dev/null; then
  echo "Installing Dovecot (Debian packages dovecot-imapd dovecot-pop3d)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-pop3d >/dev/null
fi
npm run build:server --silent
node dist/bench/imap/bench.js
