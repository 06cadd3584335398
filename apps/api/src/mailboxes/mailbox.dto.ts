import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { Mailbox, MailboxStatus } from '../../../../libs/core/src/entities';
import { PASSWORD_MAX_LENGTH } from '../../../../libs/core/src/mailboxes/credentials';
import { PageQuery } from '../common/pagination';
import { IsLocalPart } from '../common/validators';

const STATUSES: MailboxStatus[] = ['active', 'disabled'];

export class CreateMailboxDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'domainId must be a UUID' })
  domainId: string;

  @ApiProperty({ example: 'anna.de.vries', description: 'RFC 5321 dot-atom, at most 64 octets, without % ! + or quoting; compared case-insensitively' })
  @IsString()
  @IsLocalPart()
  localPart: string;

  @ApiProperty({ writeOnly: true, maxLength: PASSWORD_MAX_LENGTH, description: 'At least PASSWORD_MIN_LENGTH characters. Stored as an argon2id hash; never returned.' })
  @IsString()
  password: string;

  @ApiPropertyOptional({ example: 'Anna de Vries', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: "Default: the domain's defaultQuotaBytes" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quotaBytes?: number;
}

export class UpdateMailboxDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  quotaBytes?: number;

  @ApiPropertyOptional({ enum: STATUSES, description: 'disabled: no login and no mail accepted; open sessions are closed' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: MailboxStatus;
}

export class ChangePasswordDto {
  @ApiProperty({ writeOnly: true, maxLength: PASSWORD_MAX_LENGTH, description: 'At least PASSWORD_MIN_LENGTH characters' })
  @IsString()
  password: string;
}

export class MailboxListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: MailboxStatus;

  @ApiPropertyOptional({ description: 'Case-insensitive search in the address (any part of it, so also a prefix)' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  q?: string;

  @ApiPropertyOptional({ description: 'Exact address (case-insensitive, either form of the domain)' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  address?: string;
}

export class MailboxDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) domainId: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ example: 'Anna.de.Vries', description: 'As given at creation' }) localPart: string;
  @ApiProperty({ example: 'anna.de.vries@bakkerij.example', description: 'lower(localPart)@domain: the login name' }) address: string;
  @ApiProperty({ type: String, nullable: true }) displayName: string | null;
  @ApiProperty({ type: 'integer' }) quotaBytes: number;
  @ApiProperty({ type: 'integer', description: 'Bytes of stored mail' }) usedBytes: number;
  @ApiProperty({ type: 'integer' }) messageCount: number;
  @ApiProperty({ enum: STATUSES }) status: MailboxStatus;
  @ApiProperty() passwordChangedAt: Date;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(m: Mailbox): MailboxDto {
    return {
      id: m.id,
      domainId: m.domainId,
      customerId: m.customerId,
      localPart: m.localPart,
      address: m.address,
      displayName: m.displayName,
      quotaBytes: m.quotaBytes,
      usedBytes: m.usedBytes,
      messageCount: m.messageCount,
      status: m.status,
      passwordChangedAt: m.passwordChangedAt,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
  }
}
