import { MigrationInterface, QueryRunner } from 'typeorm';

export class UidValidityFloor1795935111161 implements MigrationInterface {
  name = 'UidValidityFloor1795935111161';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD "uid_validity_floor" bigint NOT NULL DEFAULT '0'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP COLUMN "uid_validity_floor"`);
  }
}
