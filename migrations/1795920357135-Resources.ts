import { MigrationInterface, QueryRunner } from 'typeorm';

export class Resources1795920357135 implements MigrationInterface {
  name = 'Resources1795920357135';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "domains" ADD "mailbox_count" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "domains" ADD "allocated_quota_bytes" bigint NOT NULL DEFAULT '0'`);
    // Hand-added: start the usage counters from the mailboxes that already exist.
    await queryRunner.query(`UPDATE "domains" d SET "mailbox_count" = u.n, "allocated_quota_bytes" = u.q FROM (SELECT "domain_id", count(*)::int AS n, sum("quota_bytes") AS q FROM "mailboxes" GROUP BY "domain_id") u WHERE u."domain_id" = d."id"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "domains" DROP COLUMN "allocated_quota_bytes"`);
    await queryRunner.query(`ALTER TABLE "domains" DROP COLUMN "mailbox_count"`);
  }
}
