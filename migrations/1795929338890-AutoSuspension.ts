import { MigrationInterface, QueryRunner } from 'typeorm';

export class AutoSuspension1795929338890 implements MigrationInterface {
  name = 'AutoSuspension1795929338890';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "relay_usage" ADD "limit_hits" integer NOT NULL DEFAULT '0'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "relay_usage" DROP COLUMN "limit_hits"`);
  }
}
