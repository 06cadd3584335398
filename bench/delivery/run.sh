#!/usr/bin/env bash
# Outbound delivery benchmark: Postbode's delivery worker against Postfix relaying the
# same queue to the same loopback sink (Postfix's smtp-sink), side by side, one command.
# Needs root for Postfix (and apt-get to install it when missing). Results are
# appended to bench/delivery/RESULTS.md; the work folder bench/delivery/work is rebuilt each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v postfix >/dev/null || [ ! -x /usr/sbin/smtp-source ] || [ ! -x /usr/sbin/smtp-sink ]; then
  echo "Installing Postfix (Debian package; no system configuration, nothing started)..."
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
npm run build:server --silent
node dist/bench/delivery/bench.js
