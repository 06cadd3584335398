import { AccountDirectory } from '../../../../libs/core/src/mail-accounts/account-directory';
import { lookupAddress } from '../../../../libs/core/src/mail-accounts/recipient-address';
import { Refusal, refusal } from '../../../../libs/core/src/mail-accounts/refusal';
import { AuthenticatedUser } from './session';

/**
 * May this session send this message to a recipient outside our domains?
 * The rules of DESIGN.md "Relay permission", in order:
 *   no AUTH                          530 5.7.0 authentication required
 *   mailbox no longer active         550 5.7.1 mailbox disabled
 *   customer suspended               550 5.7.1 customer suspended
 *   sender not the user's            553 5.7.1 sender not owned
 *   address literal as recipient     550 5.7.1 (never relayed on its own say-so)
 *   no active signed agreement       550 5.7.1 no signed agreement
 *
 * The agreements (and their limits) are built on another branch; until the
 * shared decideRelay() from libs/core/src/relay lands here, there is no
 * agreement to find, so every remote recipient ends at "no signed
 * agreement". This is the one function to switch to decideRelay().
 */
export interface RemoteRelayRequest {
  user: AuthenticatedUser | null;
  /** Envelope sender as given in MAIL FROM ('' for the null sender). */
  sender: string;
  /** Envelope recipient as given in RCPT TO. */
  recipient: string;
  /** Normalised recipient domain, or null for an address literal. */
  recipientDomain: string | null;
}

export type RelayVerdict = { allowed: true } | { allowed: false; refusal: Refusal };

export type RemoteRelayCheck = (dir: AccountDirectory, req: RemoteRelayRequest) => Promise<RelayVerdict>;

const deny = (code: number, enhanced: string, reason: string, message: string): RelayVerdict => ({
  allowed: false,
  refusal: refusal(code, enhanced, reason, message),
});

export const checkRemoteRelay: RemoteRelayCheck = async (dir, req) => {
  if (!req.user) return deny(530, '5.7.0', 'authentication_required', 'Authentication required to send to other domains');
  const mailbox = await dir.findMailbox(req.user.address);
  if (!mailbox || mailbox.id !== req.user.mailboxId || mailbox.status !== 'active') {
    return deny(550, '5.7.1', 'mailbox_disabled', 'Relay denied: your mailbox is disabled');
  }
  if ((await dir.customerStatus(mailbox.customerId)) !== 'active') {
    return deny(550, '5.7.1', 'customer_suspended', 'Relay denied: your account is suspended; contact your provider');
  }
  if (!(await senderOwnedBy(dir, req.sender, req.user))) {
    return deny(553, '5.7.1', 'sender_not_owned', `Sender address <${req.sender}> is not yours (logged in as ${req.user.address})`);
  }
  if (req.recipientDomain === null) {
    return deny(550, '5.7.1', 'address_literal', 'Relay denied: address literals are not relayed');
  }
  return deny(550, '5.7.1', 'no_agreement', 'Relay denied: your organisation has not signed the no-spam agreement');
};

/** The user's own address, or an alias that delivers straight to it. */
export async function senderOwnedBy(dir: AccountDirectory, sender: string, user: AuthenticatedUser): Promise<boolean> {
  const address = lookupAddress(sender);
  if (!address) return false;
  if (address === user.address) return true;
  return (await dir.aliasesOf(user.address)).includes(address);
}
