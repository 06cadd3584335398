import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795919310878 implements MigrationInterface {
  name = 'Initial1795919310878';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "customers" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "name" text NOT NULL, "contact_email" text NOT NULL, "external_ref" text, "status" text NOT NULL DEFAULT 'active', "suspended_reason" text, "suspended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_133ec679a801fab5e070f73d3ea" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_customers_external_ref" ON "customers" ("external_ref") `);
    await queryRunner.query(`CREATE TABLE "domains" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "customer_id" uuid NOT NULL, "name" text NOT NULL, "max_mailboxes" integer, "storage_bytes" bigint, "default_quota_bytes" bigint NOT NULL, "dkim_selector" text NOT NULL, "dkim_private_key" text NOT NULL, "dkim_public_key" text NOT NULL, CONSTRAINT "PK_05a6b087662191c2ea7f7ddfc4d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_domains_name" ON "domains" ("name") `);
    await queryRunner.query(`CREATE INDEX "ix_domains_customer" ON "domains" ("customer_id", "id") `);
    await queryRunner.query(`CREATE TABLE "aliases" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "domain_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "address" text NOT NULL, "targets" text array NOT NULL, CONSTRAINT "PK_491dee804efb858cdf15a44371d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_aliases_address" ON "aliases" ("address") `);
    await queryRunner.query(`CREATE INDEX "ix_aliases_customer" ON "aliases" ("customer_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_aliases_domain" ON "aliases" ("domain_id", "id") `);
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "name" text NOT NULL, "prefix" text NOT NULL, "secret_hash" text NOT NULL, "scopes" text array NOT NULL, "customer_id" uuid, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_by_key_id" uuid, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys" ("prefix") `);
    await queryRunner.query(`CREATE TABLE "events" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_type" text NOT NULL, "actor_id" text, "customer_id" uuid, "action" text NOT NULL, "target_type" text NOT NULL, "target_id" uuid, "before" jsonb, "after" jsonb, "request_id" text, CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_events_action" ON "events" ("action", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_events_target" ON "events" ("target_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_events_customer" ON "events" ("customer_id", "id") `);
    await queryRunner.query(`CREATE TABLE "idempotency_keys" ("id" uuid NOT NULL, "api_key_id" uuid NOT NULL, "key" text NOT NULL, "method" text NOT NULL, "path" text NOT NULL, "request_hash" text NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8ad20779ad0411107a56e53d0f6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_idempotency_keys_key" ON "idempotency_keys" ("api_key_id", "key") `);
    await queryRunner.query(`CREATE TABLE "mailboxes" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "domain_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "local_part" text NOT NULL, "address" text NOT NULL, "password_hash" text NOT NULL, "password_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "display_name" text, "quota_bytes" bigint NOT NULL, "used_bytes" bigint NOT NULL DEFAULT '0', "message_count" integer NOT NULL DEFAULT '0', "status" text NOT NULL DEFAULT 'active', CONSTRAINT "PK_1471bf7ef6d7f1279fbbdf89a1d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_mailboxes_address" ON "mailboxes" ("address") `);
    await queryRunner.query(`CREATE INDEX "ix_mailboxes_customer" ON "mailboxes" ("customer_id", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_mailboxes_domain" ON "mailboxes" ("domain_id", "id") `);
    await queryRunner.query(`ALTER TABLE "domains" ADD CONSTRAINT "FK_54bd4615f82d38eb2f1b80fd83b" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "aliases" ADD CONSTRAINT "FK_805f1b7372b560f56ea2f5e1c23" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "mailboxes" ADD CONSTRAINT "FK_9b6cb067f11e2f07e84d9173856" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP CONSTRAINT "FK_9b6cb067f11e2f07e84d9173856"`);
    await queryRunner.query(`ALTER TABLE "aliases" DROP CONSTRAINT "FK_805f1b7372b560f56ea2f5e1c23"`);
    await queryRunner.query(`ALTER TABLE "domains" DROP CONSTRAINT "FK_54bd4615f82d38eb2f1b80fd83b"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mailboxes_domain"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mailboxes_customer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_mailboxes_address"`);
    await queryRunner.query(`DROP TABLE "mailboxes"`);
    await queryRunner.query(`DROP INDEX "public"."uq_idempotency_keys_key"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_target"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_action"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_prefix"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."ix_aliases_domain"`);
    await queryRunner.query(`DROP INDEX "public"."ix_aliases_customer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_aliases_address"`);
    await queryRunner.query(`DROP TABLE "aliases"`);
    await queryRunner.query(`DROP INDEX "public"."ix_domains_customer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_domains_name"`);
    await queryRunner.query(`DROP TABLE "domains"`);
    await queryRunner.query(`DROP INDEX "public"."uq_customers_external_ref"`);
    await queryRunner.query(`DROP TABLE "customers"`);
  }
}
