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
import { MailboxMessage } from './mailbox-message.entity';
import { OutboundMessage, OutboundRecipient } from './outbound.entity';
import { StoredMessage } from './stored-message.entity';

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
  // the mail store, the outbound queue and login throttling (mail server)
  StoredMessage,
  Folder,
  MailboxMessage,
  ExpungedMessage,
  OutboundMessage,
  OutboundRecipient,
  AuthFailure,
];
