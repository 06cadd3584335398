import { MigrationInterface, QueryRunner } from 'typeorm';

export class Agreements1795920710890 implements MigrationInterface {
  name = 'Agreements1795920710890';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "agreement_versions" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "title" text NOT NULL, "text" text NOT NULL, "status" text NOT NULL DEFAULT 'draft', "number" integer, "sha256" text, "published_at" TIMESTAMP WITH TIME ZONE, "messages_per_hour" integer NOT NULL, "recipients_per_day" integer NOT NULL, "recipients_per_message" integer NOT NULL, CONSTRAINT "PK_f1bfb781c008000a73e52a29ccb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agreement_versions_number" ON "agreement_versions" ("number") `);
    await queryRunner.query(`CREATE INDEX "ix_agreement_versions_status" ON "agreement_versions" ("status", "id") `);
    await queryRunner.query(`CREATE TABLE "agreements" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "customer_id" uuid NOT NULL, "version_id" uuid NOT NULL, "invitation_id" uuid, "status" text NOT NULL, "status_reason" text, "status_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status_changed_by_type" text NOT NULL, "status_changed_by_id" text, "signer_name" text NOT NULL, "signer_email" text NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "signer_ip" text, "signer_user_agent" text, "text_sha256" text NOT NULL, "messages_per_hour" integer NOT NULL, "recipients_per_day" integer NOT NULL, "recipients_per_message" integer NOT NULL, "client_networks" text array NOT NULL DEFAULT '{}', "superseded_by_id" uuid, CONSTRAINT "PK_01532f6c999d44c776e3d1fa4c8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agreements_current" ON "agreements" ("customer_id") WHERE status IN ('active', 'suspended')`);
    await queryRunner.query(`CREATE INDEX "ix_agreements_status" ON "agreements" ("status", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_agreements_customer" ON "agreements" ("customer_id", "id") `);
    await queryRunner.query(`CREATE TABLE "agreement_invitations" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "customer_id" uuid NOT NULL, "version_id" uuid NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "replaced_at" TIMESTAMP WITH TIME ZONE, "agreement_id" uuid, "created_by_type" text NOT NULL, "created_by_id" text, CONSTRAINT "PK_157fdd9ce9ce71eeb5ca1906cd2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agreement_invitations_token_hash" ON "agreement_invitations" ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "ix_agreement_invitations_customer" ON "agreement_invitations" ("customer_id", "id") `);
    await queryRunner.query(`CREATE TABLE "relay_usage" ("subject_key" text NOT NULL, "hour_start" TIMESTAMP WITH TIME ZONE NOT NULL, "customer_id" uuid NOT NULL, "mailbox_id" uuid, "messages" integer NOT NULL DEFAULT '0', "recipients" integer NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ac41276e49b5c59435cb79fece9" PRIMARY KEY ("subject_key", "hour_start"))`);
    await queryRunner.query(`CREATE INDEX "ix_relay_usage_customer" ON "relay_usage" ("customer_id", "hour_start") `);
    await queryRunner.query(`CREATE TABLE "webhooks" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "customer_id" uuid, "url" text NOT NULL, "description" text, "event_types" text array NOT NULL, "active" boolean NOT NULL DEFAULT true, "secret" text NOT NULL, CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_webhooks_customer" ON "webhooks" ("customer_id", "id") `);
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "webhook_id" uuid NOT NULL, "event_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_webhook" ON "webhook_deliveries" ("webhook_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE status = 'pending'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_webhook_deliveries_event" ON "webhook_deliveries" ("webhook_id", "event_id") `);
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD "relay_blocked" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD "relay_blocked_reason" text`);
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD "relay_blocked_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "agreements" ADD CONSTRAINT "FK_bf234a8b889137c66a160a54d05" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agreements" ADD CONSTRAINT "FK_09c5edc30aedf0fddd795f0dbc2" FOREIGN KEY ("version_id") REFERENCES "agreement_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agreement_invitations" ADD CONSTRAINT "FK_a12a4f9a5da30631f5aedee86d5" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agreement_invitations" ADD CONSTRAINT "FK_4e0b4ebfb141a47a19fb2514fdb" FOREIGN KEY ("version_id") REFERENCES "agreement_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhooks" ADD CONSTRAINT "FK_5e87e14228dc28f0f96881f4ab6" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2"`);
    await queryRunner.query(`ALTER TABLE "webhooks" DROP CONSTRAINT "FK_5e87e14228dc28f0f96881f4ab6"`);
    await queryRunner.query(`ALTER TABLE "agreement_invitations" DROP CONSTRAINT "FK_4e0b4ebfb141a47a19fb2514fdb"`);
    await queryRunner.query(`ALTER TABLE "agreement_invitations" DROP CONSTRAINT "FK_a12a4f9a5da30631f5aedee86d5"`);
    await queryRunner.query(`ALTER TABLE "agreements" DROP CONSTRAINT "FK_09c5edc30aedf0fddd795f0dbc2"`);
    await queryRunner.query(`ALTER TABLE "agreements" DROP CONSTRAINT "FK_bf234a8b889137c66a160a54d05"`);
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP COLUMN "relay_blocked_at"`);
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP COLUMN "relay_blocked_reason"`);
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP COLUMN "relay_blocked"`);
    await queryRunner.query(`DROP INDEX "public"."uq_webhook_deliveries_event"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_webhook"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhooks_customer"`);
    await queryRunner.query(`DROP TABLE "webhooks"`);
    await queryRunner.query(`DROP INDEX "public"."ix_relay_usage_customer"`);
    await queryRunner.query(`DROP TABLE "relay_usage"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agreement_invitations_customer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agreement_invitations_token_hash"`);
    await queryRunner.query(`DROP TABLE "agreement_invitations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agreements_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agreements_status"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agreements_current"`);
    await queryRunner.query(`DROP TABLE "agreements"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agreement_versions_status"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agreement_versions_number"`);
    await queryRunner.query(`DROP TABLE "agreement_versions"`);
  }
}
