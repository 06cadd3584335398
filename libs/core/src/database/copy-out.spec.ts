import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { binaryCopyRows, copyOutBinary } from './copy-out';

/** Binary COPY against the test PostgreSQL: every byte value, NULLs, empty and large values, errors. */
describe('copyOutBinary', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: inject('databaseUrl') });
    await client.connect();
  });
  afterAll(async () => client?.end());

  it('returns bytea values byte for byte, as views of one buffer, with NULLs and empty values', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const data = await copyOutBinary(
      client,
      `SELECT n::bigint, v FROM (VALUES (1, '\\x${every.toString('hex')}'::bytea), (2, ''::bytea), (3, NULL::bytea)) t(n, v) ORDER BY n`,
      16, // smaller than the answer: the buffer grows
    );
    const rows = [...binaryCopyRows(data)];
    expect(rows.map((r) => r[0]!.readBigInt64BE(0))).toEqual([1n, 2n, 3n]);
    expect(rows[0][1]!.equals(every)).toBe(true);
    expect(rows[1][1]!.length).toBe(0);
    expect(rows[2][1]).toBeNull();
  });

  it('carries values larger than a protocol message buffer, and no rows at all', async () => {
    const [big] = [...binaryCopyRows(await copyOutBinary(client, `SELECT decode(repeat('41', 3000000), 'hex')`))];
    expect(big[0]!.length).toBe(3_000_000);
    expect(big[0]!.every((b) => b === 0x41)).toBe(true);
    expect([...binaryCopyRows(await copyOutBinary(client, 'SELECT 1 WHERE false'))]).toEqual([]);
  });

  it('rejects on an SQL error and leaves the connection usable', async () => {
    await expect(copyOutBinary(client, 'SELECT * FROM no_such_table_here')).rejects.toThrow(/no_such_table_here/);
    expect((await client.query('SELECT 41 + 1 AS n')).rows[0].n).toBe(42);
    const [[value]] = [...binaryCopyRows(await copyOutBinary(client, `SELECT 'after'::bytea`))];
    expect(value!.toString()).toBe('after');
  });

  it('refuses what is not a binary COPY stream', () => {
    expect(() => [...binaryCopyRows(Buffer.from('not a copy stream at all'))]).toThrow(/not a binary COPY/);
  });
});
