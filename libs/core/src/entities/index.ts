import { Agreement } from './agreement.entity';
import { AgreementInvitation } from './agreement-invitation.entity';
import { AgreementVersion } from './agreement-version.entity';
import { Alias } from './alias.entity';
import { ApiKey } from './api-key.entity';
import { Customer } from './customer.entity';
import { Domain } from './domain.entity';
import { EventRecord } from './event.entity';
import { IdempotencyKey } from './idempotency-key.entity';
import { Mailbox } from './mailbox.entity';
import { RelayUsage } from './relay-usage.entity';
import { Webhook } from './webhook.entity';
import { WebhookDelivery } from './webhook-delivery.entity';

export * from './agreement.entity';
export * from './agreement-invitation.entity';
export * from './agreement-version.entity';
export * from './alias.entity';
export * from './api-key.entity';
export * from './customer.entity';
export * from './domain.entity';
export * from './event.entity';
export * from './idempotency-key.entity';
export * from './mailbox.entity';
export * from './relay-usage.entity';
export * from './webhook.entity';
export * from './webhook-delivery.entity';
export { bigintAsNumber } from './columns';

/** Every entity: the data source and the drift check both use this list. */
export const ENTITIES = [
  Customer,
  Domain,
  Mailbox,
  Alias,
  ApiKey,
  EventRecord,
  IdempotencyKey,
  AgreementVersion,
  Agreement,
  AgreementInvitation,
  RelayUsage,
  Webhook,
  WebhookDelivery,
];
