import { MigrationInterface, QueryRunner } from 'typeorm';

export class ImapFetchText1795932552727 implements MigrationInterface {
  name = 'ImapFetchText1795932552727';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD "imap_envelope" text`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "imap_body_structure" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "imap_body_structure"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "imap_envelope"`);
  }
}
