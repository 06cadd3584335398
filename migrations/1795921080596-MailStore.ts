import { MigrationInterface, QueryRunner } from 'typeorm';

export class MailStore1795921080596 implements MigrationInterface {
  name = 'MailStore1795921080596';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "auth_failures" ("key" text NOT NULL, "failures" integer NOT NULL, "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_failure_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ef7e21c293c1a0c0888de467898" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE TABLE "folders" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "mailbox_id" uuid NOT NULL, "name" text NOT NULL, "special_use" text, "uid_validity" bigint NOT NULL, "uid_next" bigint NOT NULL DEFAULT '1', "highest_modseq" bigint NOT NULL DEFAULT '1', "subscribed" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_8578bd31b0e7f6d6c2480dbbca8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_folders_mailbox_name" ON "folders" ("mailbox_id", "name") `);
    await queryRunner.query(`CREATE TABLE "expunged_messages" ("folder_id" uuid NOT NULL, "uid" bigint NOT NULL, "modseq" bigint NOT NULL, "expunged_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_003a854f9846634fff8ddbc88b7" PRIMARY KEY ("folder_id", "uid"))`);
    await queryRunner.query(`CREATE INDEX "ix_expunged_messages_folder_modseq" ON "expunged_messages" ("folder_id", "modseq") `);
    await queryRunner.query(`CREATE TABLE "messages" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "raw" bytea NOT NULL, "size" integer NOT NULL, "header_bytes" integer NOT NULL, "sha256" text NOT NULL, "envelope_from" text NOT NULL, "subject" text, "from_header" text, "to_header" text, "cc_header" text, "date_header" TIMESTAMP WITH TIME ZONE, "message_id_header" text, "in_reply_to" text, CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_messages_message_id_header" ON "messages" ("message_id_header") `);
    await queryRunner.query(`CREATE TABLE "mailbox_messages" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "mailbox_id" uuid NOT NULL, "folder_id" uuid NOT NULL, "uid" bigint NOT NULL, "modseq" bigint NOT NULL, "message_id" uuid NOT NULL, "flags" text array NOT NULL DEFAULT '{}', "internal_date" TIMESTAMP WITH TIME ZONE NOT NULL, "size" integer NOT NULL, CONSTRAINT "PK_865e565d761179ce3e394b8b619" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_mailbox_messages_message" ON "mailbox_messages" ("message_id") `);
    await queryRunner.query(`CREATE INDEX "ix_mailbox_messages_mailbox" ON "mailbox_messages" ("mailbox_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_mailbox_messages_folder_modseq" ON "mailbox_messages" ("folder_id", "modseq") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_mailbox_messages_folder_uid" ON "mailbox_messages" ("folder_id", "uid") `);
    await queryRunner.query(`CREATE TABLE "outbound_messages" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "message_id" uuid NOT NULL, "envelope_from" text NOT NULL, "source" text NOT NULL, "mailbox_id" uuid, "customer_id" uuid, "client_address" text NOT NULL, "dsn_ret" text, "dsn_envid" text, CONSTRAINT "PK_0a03db3e2f04f9f33e6daa597ff" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_outbound_messages_customer" ON "outbound_messages" ("customer_id", "id") `);
    await queryRunner.query(`CREATE TABLE "outbound_recipients" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "outbound_message_id" uuid NOT NULL, "recipient" text NOT NULL, "status" text NOT NULL DEFAULT 'queued', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_reply" text, "dsn_notify" text array, "dsn_orcpt" text, CONSTRAINT "PK_00fe17ac04bb503b1ce39acec42" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_outbound_recipients_message" ON "outbound_recipients" ("outbound_message_id") `);
    await queryRunner.query(`CREATE INDEX "ix_outbound_recipients_due" ON "outbound_recipients" ("status", "next_attempt_at") `);
    await queryRunner.query(`ALTER TABLE "folders" ADD CONSTRAINT "FK_ab86f431eaec6a716ce8c0f1e7b" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "expunged_messages" ADD CONSTRAINT "FK_556acb07efb93b22ad8e9c38687" FOREIGN KEY ("folder_id") REFERENCES "folders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "mailbox_messages" ADD CONSTRAINT "FK_9d616523f52f2ba77eeda83957d" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "mailbox_messages" ADD CONSTRAINT "FK_2adb57c5ce53171e2a8041285da" FOREIGN KEY ("folder_id") REFERENCES "folders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "mailbox_messages" ADD CONSTRAINT "FK_e2224ed2c3e89ce5caf53f386c9" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "outbound_messages" ADD CONSTRAINT "FK_896d985379313ce2c47d167a798" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "outbound_recipients" ADD CONSTRAINT "FK_9e99cc8324d1241c55ab494d980" FOREIGN KEY ("outbound_message_id") REFERENCES "outbound_messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbound_recipients" DROP CONSTRAINT "FK_9e99cc8324d1241c55ab494d980"`);
    await queryRunner.query(`ALTER TABLE "outbound_messages" DROP CONSTRAINT "FK_896d985379313ce2c47d167a798"`);
    await queryRunner.query(`ALTER TABLE "mailbox_messages" DROP CONSTRAINT "FK_e2224ed2c3e89ce5caf53f386c9"`);
    await queryRunner.query(`ALTER TABLE "mailbox_messages" DROP CONSTRAINT "FK_2adb57c5ce53171e2a8041285da"`);
    await queryRunner.query(`ALTER TABLE "mailbox_messages" DROP CONSTRAINT "FK_9d616523f52f2ba77eeda83957d"`);
    await queryRunner.query(`ALTER TABLE "expunged_messages" DROP CONSTRAINT "FK_556acb07efb93b22ad8e9c38687"`);
    await queryRunner.query(`ALTER TABLE "folders" DROP CONSTRAINT "FK_ab86f431eaec6a716ce8c0f1e7b"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_recipients_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_recipients_message"`);
    await queryRunner.query(`DROP TABLE "outbound_recipients"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbound_messages_customer"`);
    await queryRunner.query(`DROP TABLE "outbound_messages"`);
    await queryRunner.query(`DROP INDEX "public"."uq_mailbox_messages_folder_uid"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mailbox_messages_folder_modseq"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mailbox_messages_mailbox"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mailbox_messages_message"`);
    await queryRunner.query(`DROP TABLE "mailbox_messages"`);
    await queryRunner.query(`DROP INDEX "public"."ix_messages_message_id_header"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "public"."ix_expunged_messages_folder_modseq"`);
    await queryRunner.query(`DROP TABLE "expunged_messages"`);
    await queryRunner.query(`DROP INDEX "public"."uq_folders_mailbox_name"`);
    await queryRunner.query(`DROP TABLE "folders"`);
    await queryRunner.query(`DROP TABLE "auth_failures"`);
  }
}
