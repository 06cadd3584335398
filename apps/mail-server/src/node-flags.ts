/**
 * Node options the mail-server process is started with (by `npm start`, the
 * benchmarks, and as the README shows for running it on its own).
 *
 * --initial-old-space-size: the mail server's live heap is small (~35 MB), so
 * V8 sets its old-generation limit only ~25 MB above it. Under load (POP3 and
 * IMAP downloads allocate short-lived buffers at tens of MB/s) that headroom
 * falls below the young generation's size and V8 starts a full mark-compact
 * every second or so: in the POP3 benchmark the process then used about twice
 * the CPU per message (bench/pop3/RESULTS.md). 128 MB of headroom removed every
 * mark-compact during the runs; the price is a heap that may hold up to 128 MB
 * before its first full collection.
 */
export const MAIL_SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
