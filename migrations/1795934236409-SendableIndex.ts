import { MigrationInterface, QueryRunner } from 'typeorm';

export class SendableIndex1795934236409 implements MigrationInterface {
  name = 'SendableIndex1795934236409';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_outbound_recipients_sendable" ON "outbound_recipients" ("next_attempt_at") WHERE status IN ('queued', 'deferred')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_recipients_sendable"`);
  }
}
