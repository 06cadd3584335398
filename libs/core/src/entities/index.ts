import { Agreement } from './agreement.entity';
import { AgreementInvitation } from './agreement-invitation.entity';
import { AgreementVersion } from './agreement-version.entity';
import { Alias } from './alias.entity';
import { AuthFailure } from './auth-failure.entity';
import { ApiKey } from './api-key.entity';
import { Customer } from './customer.entity';
import { Domain } from './domain.entity';
import { EventRecord } from './event.entity';
import { ExpungedMessage } from './expunged-message.entity';
import { Folder } from './folder.entity';
import { IdempotencyKey } from './idempotency-key.entity';
import { Mailbox } from './mailbox.entity';
import { RelayUsage } from './relay-usage.entity';
import { Webhook } from './webhook.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { MailboxMessage } from './mailbox-message.entity';
import { OutboundAttempt, OutboundMessage, OutboundRecipient } from './outbound.entity';
import { StoredMessage } from './stored-message.entity';

export * from './agreement.entity';
export * from './agreement-invitation.entity';
export * from './agreement-version.entity';
export * from './alias.entity';
export * from './auth-failure.entity';
export * from './api-key.entity';
export * from './customer.entity';
export * from './domain.entity';
export * from './event.entity';
export * from './expunged-message.entity';
export * from './folder.entity';
export * from './idempotency-key.entity';
export * from './mailbox.entity';
export * from './relay-usage.entity';
export * from './webhook.entity';
export * from './webhook-delivery.entity';
export * from './mailbox-message.entity';
export * from './outbound.entity';
export * from './stored-message.entity';
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
  // the mail store, the outbound queue and login throttling (mail server)
  StoredMessage,
  Folder,
  MailboxMessage,
  ExpungedMessage,
  OutboundMessage,
  OutboundRecipient,
  OutboundAttempt,
  AuthFailure,
];
