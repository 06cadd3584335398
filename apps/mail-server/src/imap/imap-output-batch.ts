import type { ImapSession } from './imap-session';

/**
 * Groups many small response chunks into larger socket writes and waits for
 * the socket to drain when its buffer is full, so a FETCH of thousands of
 * messages neither makes thousands of syscalls nor piles up in memory.
 */
export class OutputBatch {
  private pending: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly session: ImapSession,
    private readonly limit = 64 * 1024,
  ) {}

  async push(chunks: Buffer | Buffer[]): Promise<void> {
    for (const chunk of Array.isArray(chunks) ? chunks : [chunks]) {
      if (chunk.length >= this.limit) {
        await this.flush();
        if (!this.session.write(chunk)) await this.session.drain();
        continue;
      }
      this.pending.push(chunk);
      this.size += chunk.length;
      if (this.size >= this.limit) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.size);
    this.pending = [];
    this.size = 0;
    if (!this.session.write(data)) await this.session.drain();
  }
}
