import { MigrationInterface, QueryRunner } from 'typeorm';
import { IdempotencySeal } from '../libs/core/src/auth/idempotency-seal';

/**
 * Idempotency rows stop holding readable answers, keys and request hashes
 * (answers may carry secrets shown once: API keys, webhook secrets, signing
 * links). Rows already there are sealed now, while their Idempotency-Key is
 * still at hand; their request hash (a plain SHA-256) is kept, marked
 * `sha256:`, so a retry of a request made before the upgrade still replays.
 */
export class IdempotencySealed1795945000000 implements MigrationInterface {
  name = 'IdempotencySealed1795945000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "response_sealed" bytea`);
    const rows: Array<{ id: string; api_key_id: string; key: string; request_hash: string; response_body: unknown }> = await queryRunner.query(
      `SELECT id, api_key_id, key, request_hash, response_body FROM "idempotency_keys"`,
    );
    for (const row of rows) {
      const seal = new IdempotencySeal(row.api_key_id, row.key);
      await queryRunner.query(`UPDATE "idempotency_keys" SET key = $2, request_hash = $3, response_sealed = $4 WHERE id = $1`, [
        row.id,
        seal.lookup,
        `sha256:${row.request_hash}`,
        row.response_body === null ? null : seal.seal(row.response_body),
      ]);
    }
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "response_body"`);
    await queryRunner.query(`CREATE INDEX "ix_idempotency_keys_created" ON "idempotency_keys" ("created_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // the answers cannot be unsealed without the keys the clients hold: they are forgotten
    await queryRunner.query(`DROP INDEX "public"."ix_idempotency_keys_created"`);
    await queryRunner.query(`DELETE FROM "idempotency_keys"`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "response_sealed"`);
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "response_body" jsonb`);
  }
}
