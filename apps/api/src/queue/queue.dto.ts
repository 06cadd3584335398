import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDateString, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { OutboundHoldReason, OutboundRecipientStatus, OutboundSource } from '../../../../libs/core/src/entities';
import { PageQuery } from '../common/pagination';
import { IsHostName } from '../common/validators';

export const RECIPIENT_STATUSES: OutboundRecipientStatus[] = ['queued', 'deferred', 'held', 'delivered', 'failed', 'cancelled'];
/** Waiting to leave: the worker sends queued and deferred ones when due; held ones wait for a release. */
export const UNFINISHED_STATUSES: OutboundRecipientStatus[] = ['queued', 'deferred', 'held'];
const STATUS_FILTERS = [...RECIPIENT_STATUSES, 'unfinished', 'any'] as const;
export type QueueStatusFilter = (typeof STATUS_FILTERS)[number];
const SOURCES: OutboundSource[] = ['submission', 'forward'];
const HOLD_REASONS: OutboundHoldReason[] = ['staff', 'customer', 'relay_suspended'];

export class QueueListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'asc: oldest first (what has waited longest); desc: newest first' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({
    enum: STATUS_FILTERS,
    default: 'unfinished',
    description: 'Messages with at least one recipient in this status (with `domain`: one at that domain). unfinished = queued, deferred or held; any = every message',
  })
  @IsOptional()
  @IsIn(STATUS_FILTERS)
  status?: QueueStatusFilter;

  @ApiPropertyOptional({ example: 'gmail.com', description: 'Recipient domain (any case, IDNA or Unicode form)' })
  @IsOptional()
  @IsHostName()
  domain?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Customer the mail counts against (a customer-bound key always gets its own)' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Mailbox that submitted it' })
  @IsOptional()
  @IsUUID()
  mailboxId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Queued at or after this time' })
  @IsOptional()
  @IsDateString()
  createdAfter?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Queued before this time' })
  @IsOptional()
  @IsDateString()
  createdBefore?: string;
}

export class QueueRecipientCountsDto {
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) queued: number;
  @ApiProperty({ type: 'integer' }) deferred: number;
  @ApiProperty({ type: 'integer' }) held: number;
  @ApiProperty({ type: 'integer' }) delivered: number;
  @ApiProperty({ type: 'integer' }) failed: number;
  @ApiProperty({ type: 'integer' }) cancelled: number;
}

/** A queued message as the lists show it: envelope, header summary, recipients counted per status. */
export class QueueMessageSummaryDto {
  @ApiProperty({ format: 'uuid', description: 'The queue entry (outbound message)' }) id: string;
  @ApiProperty({ description: 'When it was queued' }) createdAt: Date;
  @ApiProperty({ format: 'uuid', description: 'The stored message (its bytes)' }) messageId: string;
  @ApiProperty({ example: 'anna@bakkerij.example', description: "Envelope sender (MAIL FROM); '' for the null sender" }) envelopeFrom: string;
  @ApiProperty({ enum: SOURCES, description: 'submission: a user sent it; forward: an alias passes received mail on' }) source: OutboundSource;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Mailbox that submitted it; null for forwards' }) mailboxId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Customer it counts against; null for forwards of mail from outside' })
  customerId: string | null;
  @ApiProperty({ example: '192.0.2.7', description: 'The client that handed it to us' }) clientAddress: string;
  @ApiProperty({ type: String, nullable: true }) subject: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The From: header' }) fromHeader: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Message-ID without angle brackets' }) messageIdHeader: string | null;
  @ApiProperty({ type: 'integer', description: 'Octets of the message' }) size: number;
  @ApiProperty({ type: QueueRecipientCountsDto, description: 'Recipients per status' }) recipientCounts: QueueRecipientCountsDto;
  @ApiProperty({ type: [String], example: ['gmail.com'], description: 'Recipient domains, sorted' }) domains: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Earliest next try of a queued or deferred recipient; null when none waits for the worker' })
  nextAttemptAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Latest try of any recipient' }) lastAttemptAt: Date | null;
}

/** One try to hand a recipient to a remote server. */
export class QueueAttemptDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ enum: ['delivered', 'deferred', 'failed'] }) outcome: string;
  @ApiProperty({ type: String, nullable: true, example: '451 4.7.1 greylisted, try again later' }) reply: string | null;
  @ApiProperty({ type: String, nullable: true, example: '4.7.1', description: 'Enhanced status code' }) status: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'mx1.example.net' }) remoteMta: string | null;
  @ApiProperty({ type: 'integer' }) durationMs: number;
}

export class QueueRecipientDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'klant@elders.example' }) recipient: string;
  @ApiProperty({ example: 'elders.example' }) domain: string;
  @ApiProperty({ enum: RECIPIENT_STATUSES }) status: OutboundRecipientStatus;
  @ApiProperty({ type: String, enum: HOLD_REASONS, nullable: true, description: 'staff: held by the ISP through this API (only the ISP releases it); customer: held with the customer\'s own bound key; relay_suspended: the sender lost relay permission' })
  heldReason: OutboundHoldReason | null;
  @ApiProperty({ type: 'integer', description: 'Tries so far' }) attempts: number;
  @ApiProperty({ description: 'When the worker will try next (queued and deferred recipients)' }) nextAttemptAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: Date | null;
  @ApiProperty({ type: String, nullable: true, example: '451 4.7.1 greylisted, try again later', description: "The remote server's last reply, or why we gave up" })
  lastReply: string | null;
  @ApiProperty({ type: String, nullable: true, example: '4.7.1', description: 'Enhanced status code of the last outcome' }) lastStatus: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Host that gave the last reply' }) remoteMta: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was delivered, failed or cancelled' }) finishedAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the "delayed" notice went to the sender' }) delayNotifiedAt: Date | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Failed or cancelled: when the failure notice (DSN) was queued or found not due; null while it is still owed',
  })
  bouncedAt: Date | null;
  @ApiProperty({ type: [String], nullable: true, example: ['FAILURE', 'DELAY'], description: 'RFC 3461 NOTIFY from RCPT TO' }) dsnNotify: string[] | null;
  @ApiProperty({ type: String, nullable: true, description: 'RFC 3461 ORCPT' }) dsnOrcpt: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({ type: [QueueAttemptDto], description: 'Every try, oldest first' }) attemptHistory: QueueAttemptDto[];
}

export class QueueMessageDto extends QueueMessageSummaryDto {
  @ApiProperty({ type: String, nullable: true, example: 'HDRS', description: 'RFC 3461 RET: how much of the message a bounce quotes' }) dsnRet: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'RFC 3461 ENVID' }) dsnEnvid: string | null;
  @ApiProperty({ type: [QueueRecipientDto], description: 'Every recipient, in the order they were queued' }) recipients: QueueRecipientDto[];
}

export class QueueActionDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description:
      'Act on these recipients of the message only; each must be in a state the action applies to (409 otherwise). Left out: every recipient the action applies to',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'each of recipientIds must be a recipient id (UUID)' })
  recipientIds?: string[];

  @ApiPropertyOptional({ example: 'Customer asked us to stop the newsletter', maxLength: 500, description: 'Recorded in the audit log; never sent to the sender' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

export class QueueStatsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "One customer's counts (a customer-bound key always gets its own)" })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}

/** Recipients, not messages: a message to three addresses that all bounced counts three. */
export class QueueCountsDto {
  @ApiProperty({ type: 'integer', description: 'Waiting for their first try or a retry that is due' }) queued: number;
  @ApiProperty({ type: 'integer', description: 'Refused for now by the remote server (4xx) or unreachable; retried later' }) deferred: number;
  @ApiProperty({ type: 'integer', description: 'Held: not sent until released' }) held: number;
  @ApiProperty({ type: 'integer', description: 'Delivered in the last 24 hours' }) sent: number;
  @ApiProperty({ type: 'integer', description: 'Failed for good (5xx or queue lifetime over) in the last 24 hours' }) bounced: number;
  @ApiProperty({ type: 'integer', description: 'Cancelled in the last 24 hours' }) cancelled: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the oldest message still waiting (queued, deferred or held) was queued' })
  oldestWaitingSince: Date | null;
}

export class QueueCustomerCountsDto extends QueueCountsDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: forwards of mail from outside, which count against nobody' }) customerId: string | null;
  @ApiProperty({ type: String, nullable: true }) customerName: string | null;
}

export class QueueStatsDto extends QueueCountsDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The customer counted; null: everyone' }) customerId: string | null;
  @ApiProperty({ description: 'Start of the 24-hour window of sent, bounced and cancelled' }) since: Date;
  @ApiProperty({
    type: [QueueCustomerCountsDto],
    nullable: true,
    description: 'Without customerId (staff keys): the 20 customers with the most mail waiting, then the most bounced; null for one customer',
  })
  customers: QueueCustomerCountsDto[] | null;
}
