import type { ClientBase, Connection, Submittable } from 'pg';

/**
 * `COPY (query) TO STDOUT (FORMAT binary)` on a pg client, for reading many
 * large bytea values (message bodies) at once. A normal query sends bytea as
 * text: PostgreSQL hex-encodes every byte and Node decodes it again, which for
 * mail downloads costs more CPU than everything else together. Binary COPY
 * sends the bytes as they are stored, and the rows arrive as Buffers.
 *
 * COPY takes no bind parameters: callers build `sql` only from values they
 * have checked (UUIDs, integers), never from user input.
 */
export function copyOutBinary(client: ClientBase, sql: string, sizeHint = 64 * 1024): Promise<Buffer> {
  const query = new BinaryCopyOut(`COPY (${sql}) TO STDOUT (FORMAT binary)`, sizeHint);
  client.query(query);
  return query.result;
}

/**
 * node-postgres "submittable": the client hands it the protocol messages of
 * its query. Only what COPY TO STDOUT sends (CopyData, CommandComplete,
 * ReadyForQuery, or an error) is expected.
 */
class BinaryCopyOut implements Submittable {
  readonly result: Promise<Buffer>;
  private resolve!: (data: Buffer) => void;
  private reject!: (err: Error) => void;
  private data: Buffer;
  private length = 0;
  private failed = false;

  constructor(
    private readonly text: string,
    sizeHint: number,
  ) {
    this.data = Buffer.allocUnsafe(Math.max(sizeHint, 64));
    this.result = new Promise<Buffer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  /** The chunk is a view of the parser's own buffer, reused later: copy it now. */
  handleCopyData(msg: { chunk: Buffer }): void {
    const chunk = msg.chunk;
    if (this.length + chunk.length > this.data.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.length + chunk.length));
      this.data.copy(grown, 0, 0, this.length);
      this.data = grown;
    }
    this.length += chunk.copy(this.data, this.length);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (!this.failed) this.resolve(this.data.subarray(0, this.length));
  }

  /** Server error (the client drops the query before ReadyForQuery) or a broken connection. */
  handleError(err: Error): void {
    this.failed = true;
    this.reject(err);
  }

  // not part of a COPY TO's answer
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: Connection & { sendCopyFail(msg: string): void }): void {
    connection.sendCopyFail('not a COPY FROM');
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * The rows of a binary COPY (PostgreSQL docs, "Binary Format"): each row an
 * array of fields, a field a view of `data` (no copy) or null.
 */
export function* binaryCopyRows(data: Buffer): Generator<Array<Buffer | null>> {
  if (data.length < 21 || !data.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
  const flags = data.readInt32BE(11);
  if (flags & (1 << 16)) throw new Error('binary COPY with OIDs is not supported');
  let at = 19 + data.readInt32BE(15);
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) return;
    const row: Array<Buffer | null> = new Array(fields);
    for (let f = 0; f < fields; f++) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row[f] = null;
        continue;
      }
      if (at + length > data.length) throw new Error('binary COPY stream cut short');
      row[f] = data.subarray(at, at + length);
      at += length;
    }
    yield row;
  }
}
