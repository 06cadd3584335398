import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Mailbox } from '../../../../libs/core/src/entities';
import { AgreementLimitsDto } from '../agreement-versions/agreement-version.dto';

export class RelayUsageDto {
  @ApiProperty({ description: 'Messages relayed in the current UTC clock hour' }) messagesThisHour: number;
  @ApiProperty({ description: 'Recipients relayed in the current hour and the 23 before it' }) recipientsLast24Hours: number;
}

/** The same answer the mail server gives at RCPT TO for a recipient in another domain. */
export class RelayPermissionDto {
  @ApiProperty({ format: 'uuid' }) mailboxId: string;
  @ApiProperty({ example: 'jan@bakkerij.example' }) address: string;
  @ApiProperty({ description: 'May this user send mail to other domains now?' }) allowed: boolean;
  @ApiProperty({ type: Number, nullable: true, example: 550, description: 'SMTP reply code; null when allowed' }) code: number | null;
  @ApiProperty({ type: String, nullable: true, example: '5.7.1', description: 'Enhanced status code (RFC 3463); null when allowed' }) enhancedCode: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'agreement_suspended',
    description:
      'null when allowed, else one of: authentication_required, mailbox_disabled, customer_suspended, sender_not_owned, relay_blocked, no_agreement, agreement_suspended, agreement_revoked, messages_per_hour, recipients_per_day, recipients_per_message',
  })
  reason: string | null;
  @ApiProperty({ description: 'The text of the SMTP reply, in plain words' }) message: string;
  @ApiProperty({ type: AgreementLimitsDto, nullable: true, description: "The agreement's limits; null without an agreement" }) limits: AgreementLimitsDto | null;
  @ApiProperty({ type: RelayUsageDto }) usage: RelayUsageDto;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "The customer's current agreement" }) agreementId: string | null;
}

export class RelayBlockDto {
  @ApiProperty({ example: 'Account sent spam after a password leak', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

export class MailboxRelayStateDto {
  @ApiProperty({ format: 'uuid' }) mailboxId: string;
  @ApiProperty() address: string;
  @ApiProperty() relayBlocked: boolean;
  @ApiProperty({ type: String, nullable: true }) relayBlockedReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) relayBlockedAt: Date | null;

  static from(m: Mailbox): MailboxRelayStateDto {
    return { mailboxId: m.id, address: m.address, relayBlocked: m.relayBlocked, relayBlockedReason: m.relayBlockedReason, relayBlockedAt: m.relayBlockedAt };
  }
}
