/**
 * The client side of the connection as a byte queue that yields whole
 * commands: the text lines of a command and the literals between them
 * (RFC 3501 4.3 `{n}` synchronizing, RFC 7888 `{n+}` non-synchronizing).
 *
 * The session asks for the next command only when it is not running one, so
 * the "+ Ready" continuation for a synchronizing literal never lands in the
 * middle of another response. Bytes that arrive meanwhile wait here; when
 * too many wait and nobody reads, the socket is paused (backpressure).
 */

/** A complete command: text[0] literal[0] text[1] literal[1] ... text[n] (text without CRLF). */
export interface RawCommand {
  texts: Buffer[];
  literals: Buffer[];
}

/** A command that could not be read whole; the session answers it with BAD (or NO for TOOBIG). */
export interface RejectedCommand {
  rejected: true;
  /** The tag when one could be read, else "*". */
  tag: string;
  status: 'BAD' | 'NO';
  code: string | null;
  text: string;
  /** The connection cannot be resynchronised (a huge non-synchronizing literal): close it after answering. */
  fatal?: boolean;
}

export type LiteralDecision = { accept: true } | { accept: false; status: 'BAD' | 'NO'; code: string | null; text: string };

export interface ImapInputOptions {
  maxLineLength: number;
  /**
   * Decides whether a literal of `size` octets may follow; `prefix` is the
   * command's first line (tag and verb), `literalBytesSoFar` what earlier
   * literals of the same command took (the limit is on the sum).
   */
  literalPolicy: (prefix: Buffer, size: number, literalBytesSoFar: number) => LiteralDecision;
  /** Writes the "+ ..." continuation request for a synchronizing literal. */
  sendContinuation: () => void;
  /** Flow control on the socket. */
  pause: () => void;
  resume: () => void;
  /** Bytes allowed to wait unread before the socket is paused. */
  highWaterMark?: number;
  /** A refused {n+} literal up to this size is read and dropped; a larger one ends the connection. */
  maxDiscard?: number;
}

const LITERAL_AT_END = /\{(\d{1,20})(\+)?\}$/;

/** Literals in one command; no real command has more than a handful. */
const MAX_LITERALS = 1000;

export class ImapInput {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: (() => void) | null = null;
  private ended = false;
  private paused = false;
  /** The start of the last line dropped for being too long (its tag is answered). */
  private discardedHead: Buffer | null = null;

  constructor(private readonly opts: ImapInputOptions) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (!this.waiter && this.buffered > (this.opts.highWaterMark ?? 1 << 20) && !this.paused) {
      this.paused = true;
      this.opts.pause();
    }
    this.wake();
  }

  /** The connection is gone: pending and future reads resolve with null. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Forgets everything buffered (after STARTTLS, RFC 3501 6.2.1: nothing sent before the handshake counts). */
  clear(): void {
    this.chunks = [];
    this.buffered = 0;
  }

  get hasBufferedInput(): boolean {
    return this.buffered > 0;
  }

  /** One line without its CRLF (for SASL responses and IDLE's DONE); null when the connection ends; 'too-long' when over the limit. */
  async readLine(max = this.opts.maxLineLength): Promise<Buffer | 'too-long' | null> {
    for (;;) {
      const nl = this.indexOfLineFeed(max + 2);
      if (nl >= 0) {
        const line = this.take(nl + 1);
        let end = line.length - 1;
        if (end > 0 && line[end - 1] === 0x0d) end--;
        return line.subarray(0, end);
      }
      if (this.buffered > max + 1) {
        this.discardedHead = this.peek(80);
        await this.discardLine();
        return 'too-long';
      }
      if (this.ended) return null;
      await this.more();
    }
  }

  /** The next whole command, or null when the connection ends. */
  async readCommand(): Promise<RawCommand | RejectedCommand | null> {
    const texts: Buffer[] = [];
    const literals: Buffer[] = [];
    let textBytes = 0;
    let literalBytes = 0;
    for (;;) {
      const line = await this.readLine();
      if (line === null) return null;
      if (line === 'too-long') return reject(texts[0] ?? this.discardedHead, 'BAD', null, 'command line too long');
      texts.push(line);
      textBytes += line.length;
      if (textBytes > 4 * this.opts.maxLineLength || literals.length >= MAX_LITERALS) {
        // the rest of this command cannot be told from the next one: answer and hang up
        return { ...reject(texts[0], 'BAD', null, 'command too long'), fatal: true };
      }
      const m = LITERAL_AT_END.exec(line.toString('latin1', Math.max(0, line.length - 24)));
      if (!m) return { texts, literals };
      const size = Number(m[1]);
      const nonSynchronizing = m[2] === '+';
      const decision = Number.isSafeInteger(size)
        ? this.opts.literalPolicy(texts[0], size, literalBytes)
        : ({ accept: false, status: 'BAD', code: null, text: 'literal size out of range' } as const);
      if (!decision.accept) {
        // A client sending {n+} sends the bytes anyway (RFC 7888 4): skip them and the rest of
        // the command, unless there are so many that hanging up is cheaper.
        if (nonSynchronizing) {
          if (size > (this.opts.maxDiscard ?? 64 * 1024 * 1024)) return { ...reject(texts[0], decision.status, decision.code, decision.text), fatal: true };
          await this.discardRestOfCommand(size);
        }
        return reject(texts[0], decision.status, decision.code, decision.text);
      }
      if (!nonSynchronizing) this.opts.sendContinuation();
      const literal = await this.readBytes(size);
      if (literal === null) return null;
      literals.push(literal);
      literalBytes += literal.length;
    }
  }

  private async readBytes(n: number): Promise<Buffer | null> {
    while (this.buffered < n) {
      if (this.ended) return null;
      await this.more();
    }
    return this.take(n);
  }

  private async discardRestOfCommand(literalSize: number): Promise<void> {
    let skip = literalSize;
    for (;;) {
      while (skip > 0) {
        if (this.buffered === 0) {
          if (this.ended) return;
          await this.more();
          continue;
        }
        const n = Math.min(skip, this.buffered);
        this.take(n);
        skip -= n;
      }
      const line = await this.readLine();
      if (line === null || line === 'too-long') return;
      const m = LITERAL_AT_END.exec(line.toString('latin1', Math.max(0, line.length - 24)));
      if (!m || m[2] !== '+') return;
      skip = Number(m[1]);
    }
  }

  /** Drops bytes up to and including the next line feed. */
  private async discardLine(): Promise<void> {
    for (;;) {
      const nl = this.indexOfLineFeed(this.buffered);
      if (nl >= 0) {
        this.take(nl + 1);
        return;
      }
      this.clear();
      if (this.ended) return;
      await this.more();
    }
  }

  private peek(n: number): Buffer {
    const head = this.chunks[0] ?? Buffer.alloc(0);
    return Buffer.from(head.subarray(0, n));
  }

  /** Offset of the first LF within the first `limit` buffered bytes, or -1. */
  private indexOfLineFeed(limit: number): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      const scan = Math.min(chunk.length, limit - offset);
      if (scan <= 0) return -1;
      const i = chunk.subarray(0, scan).indexOf(0x0a);
      if (i >= 0) return offset + i;
      offset += chunk.length;
    }
    return -1;
  }

  private take(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const head = this.chunks[0];
      if (head.length <= need) {
        parts.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    this.buffered -= n;
    if (this.paused && this.buffered < (this.opts.highWaterMark ?? 1 << 20) / 2) {
      this.paused = false;
      this.opts.resume();
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }

  private more(): Promise<void> {
    if (this.paused) {
      // someone is reading: let the bytes flow even above the high-water mark (a large APPEND literal)
      this.paused = false;
      this.opts.resume();
    }
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

function reject(firstLine: Buffer | null, status: 'BAD' | 'NO', code: string | null, text: string): RejectedCommand {
  const tag = firstLine ? /^([^\s(){%*"\\\]]{1,64}) /.exec(firstLine.toString('latin1'))?.[1] : undefined;
  return { rejected: true, tag: tag ?? '*', status, code, text };
}
