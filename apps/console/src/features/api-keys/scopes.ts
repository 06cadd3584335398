import { createApiKeyDtoScopesValues } from '../../api/schema';

/** The scopes a key may get come from the spec; this only adds words for people. */
const DESCRIPTIONS: Record<string, string> = {
  admin: 'everything, including API keys',
  billing: 'what a billing system needs: provision customers, domains, mailboxes, aliases; drive agreements',
  'customers:read': 'see customers',
  'customers:write': 'create and change customers',
  'domains:read': 'see domains and their DNS records',
  'domains:write': 'create and change domains',
  'mailboxes:read': 'see mailboxes and their relay permission',
  'mailboxes:write': 'create and change mailboxes, reset passwords',
  'aliases:read': 'see aliases',
  'aliases:write': 'create and change aliases',
  'agreements:read': 'see agreements and versions',
  'agreements:write': 'invite, suspend, reinstate, revoke agreements',
  'events:read': 'read the audit log',
  'webhooks:read': 'see webhooks',
  'webhooks:write': 'manage webhooks',
  'queue:read': 'see the outbound mail queue',
  'queue:write': 'retry, hold and cancel queued mail',
};

export const SCOPE_OPTIONS = createApiKeyDtoScopesValues.map((scope) => ({ value: scope, description: DESCRIPTIONS[scope] ?? '' }));
