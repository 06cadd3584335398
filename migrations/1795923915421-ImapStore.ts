import { MigrationInterface, QueryRunner } from 'typeorm';

export class ImapStore1795923915421 implements MigrationInterface {
  name = 'ImapStore1795923915421';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "folders" ADD "recent_from_uid" bigint NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "imap_structure" jsonb`);
    await queryRunner.query(`CREATE INDEX "ix_outbound_messages_message" ON "outbound_messages" ("message_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_messages_message"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "imap_structure"`);
    await queryRunner.query(`ALTER TABLE "folders" DROP COLUMN "recent_from_uid"`);
  }
}
