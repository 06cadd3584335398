import { ApiProperty } from '@nestjs/swagger';
import { SCOPES } from '../../../../libs/core/src/auth/scopes';
import { QueueCountsDto } from '../queue/queue.dto';

export class CallerDto {
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) keyId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Name of the API key in use' }) keyName: string | null;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'Set when the key is bound to one customer' }) customerId: string | null;
}

export class CustomerCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() active: number;
  @ApiProperty() suspended: number;
}

export class MailboxCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() active: number;
  @ApiProperty() disabled: number;
}

export class TotalDto {
  @ApiProperty() total: number;
}

export class AgreementCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() active: number;
  @ApiProperty({ description: 'Relay suspended: staff or an automatic rule stopped the customer sending to other domains' }) suspended: number;
  @ApiProperty() revoked: number;
  @ApiProperty({ description: 'Replaced by a newer signature of the same customer' }) superseded: number;
}

export class ApiKeyCountsDto {
  @ApiProperty() active: number;
  @ApiProperty() revoked: number;
}

/**
 * What the console's dashboard shows, counted by the database in one request
 * (paging through every list to count it would not scale). A section is null
 * when the caller's key lacks the scope to read it; counts are limited to the
 * caller's customer for customer-bound keys.
 */
export class StatsDto {
  @ApiProperty({ type: CallerDto, description: 'The API key making the request: lets a client show only what it may use' })
  caller: CallerDto;
  @ApiProperty({ type: CustomerCountsDto, nullable: true }) customers: CustomerCountsDto | null;
  @ApiProperty({ type: TotalDto, nullable: true }) domains: TotalDto | null;
  @ApiProperty({ type: MailboxCountsDto, nullable: true }) mailboxes: MailboxCountsDto | null;
  @ApiProperty({ type: TotalDto, nullable: true }) aliases: TotalDto | null;
  @ApiProperty({ type: AgreementCountsDto, nullable: true }) agreements: AgreementCountsDto | null;
  @ApiProperty({ type: TotalDto, nullable: true, description: 'Mailboxes whose relaying staff blocked (POST /v1/mailboxes/{id}/relay-block)' })
  relayBlockedMailboxes: TotalDto | null;
  @ApiProperty({ type: ApiKeyCountsDto, nullable: true, description: 'Admin keys only' }) apiKeys: ApiKeyCountsDto | null;
  @ApiProperty({ type: QueueCountsDto, nullable: true, description: 'Outbound recipients: waiting now, and sent, bounced and cancelled in the last 24 hours (GET /v1/queue/stats has more)' })
  queue: QueueCountsDto | null;
}
