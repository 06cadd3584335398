import { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboundDelivery1795928964616 implements MigrationInterface {
  name = 'OutboundDelivery1795928964616';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "outbound_attempts" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "recipient_id" uuid NOT NULL, "outcome" text NOT NULL, "reply" text, "status" text, "remote_mta" text, "duration_ms" integer NOT NULL, CONSTRAINT "PK_96246e5729001dfd6989e06bfe0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_outbound_attempts_recipient" ON "outbound_attempts" ("recipient_id", "id") `);
    // rows queued before this migration get their domain from the address
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD "domain" text`);
    await queryRunner.query(`UPDATE "outbound_recipients" SET "domain" = lower(rtrim(substring("recipient" from '[^@]*$'), '.'))`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ALTER COLUMN "domain" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD "last_status" text`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD "remote_mta" text`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD "held_reason" text`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD "delay_notified_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD "bounced_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD "finished_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "ix_outbound_recipients_unbounced" ON "outbound_recipients" ("outbound_message_id") WHERE bounced_at IS NULL AND status IN ('failed', 'cancelled')`);
    await queryRunner.query(`CREATE INDEX "ix_outbound_recipients_finished" ON "outbound_recipients" ("finished_at") `);
    await queryRunner.query(`ALTER TABLE "outbound_attempts" ADD CONSTRAINT "FK_f665c044ce2538122c644c2130e" FOREIGN KEY ("recipient_id") REFERENCES "outbound_recipients"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbound_attempts" DROP CONSTRAINT "FK_f665c044ce2538122c644c2130e"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_recipients_finished"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_recipients_unbounced"`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP COLUMN "finished_at"`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP COLUMN "bounced_at"`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP COLUMN "delay_notified_at"`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP COLUMN "held_reason"`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP COLUMN "remote_mta"`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP COLUMN "last_status"`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP COLUMN "domain"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_attempts_recipient"`);
    await queryRunner.query(`DROP TABLE "outbound_attempts"`);
  }
}
