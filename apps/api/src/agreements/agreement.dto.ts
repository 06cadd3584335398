import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { AgreementView, agreementView } from '../../../../libs/core/src/agreements/agreement-view';
import { Agreement, AgreementStatus } from '../../../../libs/core/src/entities';
import { AgreementLimitsDto } from '../agreement-versions/agreement-version.dto';
import { PageQuery } from '../common/pagination';

const STATUSES: AgreementStatus[] = ['active', 'suspended', 'revoked', 'superseded'];

export class ActorRefDto {
  @ApiProperty({ example: 'api_key', description: 'api_key | signer | system | mail_server' }) type: string;
  @ApiProperty({ type: String, nullable: true }) id: string | null;
}

export class AgreementDto implements AgreementView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ format: 'uuid' }) versionId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The invitation whose link was used' }) invitationId: string | null;
  @ApiProperty({
    enum: STATUSES,
    description: 'active ⇄ suspended → revoked (final); superseded: replaced by a newer signature of the same customer',
  })
  status: AgreementStatus;
  @ApiProperty({ type: String, nullable: true, description: 'Why the status last changed' }) statusReason: string | null;
  @ApiProperty() statusChangedAt: Date;
  @ApiProperty({ type: ActorRefDto, description: 'Who last changed the status' }) statusChangedBy: ActorRefDto;
  @ApiProperty({ description: 'Full name the signer typed' }) signerName: string;
  @ApiProperty() signerEmail: string;
  @ApiProperty() signedAt: Date;
  @ApiProperty({ type: String, nullable: true }) signerIp: string | null;
  @ApiProperty({ type: String, nullable: true }) signerUserAgent: string | null;
  @ApiProperty({ description: 'SHA-256 of the exact text the signer was shown' }) textSha256: string;
  @ApiProperty({ type: AgreementLimitsDto, description: "Copied from the version at signing; staff or billing may override them" }) limits: AgreementLimitsDto;
  @ApiProperty({ type: [String], example: ['192.0.2.0/28'], description: "The customer's own mail servers, which may relay without SMTP AUTH" })
  clientNetworks: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) supersededById: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(a: Agreement): AgreementDto {
    return agreementView(a);
  }
}

export class AgreementListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: AgreementStatus;
}

export class AgreementReasonDto {
  @ApiProperty({ example: 'Spam complaints from 3 recipients on 2027-01-04', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

export class ReinstateAgreementDto {
  @ApiPropertyOptional({ example: 'Compromised account cleaned up', maxLength: 500 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

export class UpdateAgreementLimitsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  messagesPerHour?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  recipientsPerDay?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  recipientsPerMessage?: number;
}

export class ClientNetworksDto {
  @ApiProperty({ type: [String], example: ['192.0.2.0/28', '2001:db8:10::/48'], description: 'Replaces the list; [] removes them all' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  clientNetworks: string[];
}
