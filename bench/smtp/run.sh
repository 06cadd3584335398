#!/usr/bin/env bash
# SMTP benchmark: Postbode's MX against Postfix, side by side, one command.
# Needs root for Postfix (and apt-get to install it when missing). Results are
# appended to bench/smtp/RESULTS.md; the work folder bench/smtp/work is rebuilt each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v postfix >/dev/null || [ ! -x /usr/sbin/smtp-source ]; then
  echo "Installing Postfix (Debian package; no system configuration, nothing started)..."
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
npm run build --silent
node dist/bench/smtp/bench.js
