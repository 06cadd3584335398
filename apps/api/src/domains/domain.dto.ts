import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { domainToUnicode } from 'node:url';
import { Domain } from '../../../../libs/core/src/entities';
import { DnsRecord } from '../../../../libs/core/src/domains/dns-records';
import { PageQuery } from '../common/pagination';
import { IsHostName } from '../common/validators';

const MAX_BYTES = Number.MAX_SAFE_INTEGER;

export class CreateDomainDto {
  @ApiProperty({ format: 'uuid', description: 'The customer the domain belongs to (a customer-bound key: its own customer)' })
  @IsUUID('all', { message: 'customerId must be a UUID' })
  customerId: string;

  @ApiProperty({ example: 'bakkerij.example', description: 'Host name; stored lower-case in IDNA form (bücher.example → xn--bcher-kva.example)' })
  @IsString()
  @MaxLength(253)
  @IsHostName()
  name: string;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, description: 'At most this many mailboxes; null or absent: no limit. Unbound keys only.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  maxMailboxes?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, description: 'The sum of mailbox quotas may not exceed this; null or absent: no limit. Unbound keys only.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_BYTES)
  storageBytes?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Quota of a new mailbox that names none; default DEFAULT_QUOTA_BYTES' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BYTES)
  defaultQuotaBytes?: number;
}

export class UpdateDomainDto {
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, description: 'null: no limit. Not below the current mailbox count. Unbound keys only.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  maxMailboxes?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, description: 'null: no limit. Not below the quota already allocated. Unbound keys only.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_BYTES)
  storageBytes?: number | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BYTES)
  defaultQuotaBytes?: number;
}

export class DomainListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ description: 'Exact name, in either form (bücher.example or xn--bcher-kva.example)' })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  @IsHostName()
  name?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive search in the name' })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  q?: string;
}

export class DeleteDomainQuery {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Also delete the domain’s mailboxes and aliases (their mail is lost)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'removeMailboxes must be true or false' })
  removeMailboxes?: boolean;
}

export class DomainDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ example: 'xn--bcher-kva.example', description: 'Lower-case IDNA form' }) name: string;
  @ApiProperty({ example: 'bücher.example', description: 'The name as people read it' }) unicodeName: string;
  @ApiProperty({ type: 'integer', nullable: true }) maxMailboxes: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) storageBytes: number | null;
  @ApiProperty({ type: 'integer' }) defaultQuotaBytes: number;
  @ApiProperty({ type: 'integer', description: 'Mailboxes in the domain' }) mailboxCount: number;
  @ApiProperty({ type: 'integer', description: 'Sum of the quotas of its mailboxes (counted against storageBytes)' }) allocatedQuotaBytes: number;
  @ApiProperty({ example: 'pb202611', description: 'DKIM selector: the key is published at <selector>._domainkey.<name>' }) dkimSelector: string;
  @ApiProperty({ description: 'DKIM public key, SPKI PEM (the private key never leaves the server)' }) dkimPublicKey: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(d: Domain): DomainDto {
    return {
      id: d.id,
      customerId: d.customerId,
      name: d.name,
      unicodeName: domainToUnicode(d.name) || d.name,
      maxMailboxes: d.maxMailboxes,
      storageBytes: d.storageBytes,
      defaultQuotaBytes: d.defaultQuotaBytes,
      mailboxCount: d.mailboxCount,
      allocatedQuotaBytes: d.allocatedQuotaBytes,
      dkimSelector: d.dkimSelector,
      dkimPublicKey: d.dkimPublicKey,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }
}

export class DnsRecordDto implements DnsRecord {
  @ApiProperty({ enum: ['mx', 'spf', 'dkim', 'dmarc'] }) purpose: 'mx' | 'spf' | 'dkim' | 'dmarc';
  @ApiProperty({ enum: ['MX', 'TXT'] }) type: 'MX' | 'TXT';
  @ApiProperty({ example: 'pb202611._domainkey.bakkerij.example', description: 'Fully qualified owner name (no trailing dot)' }) name: string;
  @ApiProperty({ example: 3600 }) ttl: number;
  @ApiProperty({ description: 'MX: the mail host; TXT: the whole text' }) value: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'MX preference; null for TXT' }) priority: number | null;
  @ApiProperty({ type: [String], description: 'TXT: the value as strings of at most 255 characters, for DNS servers that need them split' }) strings: string[];
  @ApiProperty({ example: 'bakkerij.example. 3600 IN MX 10 mail.isp.example.', description: 'One zone-file line, ready to paste' }) zoneFileLine: string;
}

export class DnsRecordsDto {
  @ApiProperty({ format: 'uuid' }) domainId: string;
  @ApiProperty({ example: 'bakkerij.example' }) domain: string;
  @ApiProperty({ type: [DnsRecordDto], description: 'MX, SPF, DKIM and DMARC, in that order' }) records: DnsRecordDto[];
  @ApiProperty({ description: 'All records as zone-file lines' }) zoneFile: string;
}
