import { MigrationInterface, QueryRunner } from 'typeorm';

export class SearchText1795931411090 implements MigrationInterface {
  name = 'SearchText1795931411090';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD "search_headers" text`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "search_body" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "search_body"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "search_headers"`);
  }
}
