import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { AgreementVersion } from '../../../../libs/core/src/entities';
import { PageQuery } from '../common/pagination';

/** Sending limits: defaults on a version, the binding values on an agreement. */
export class AgreementLimitsDto {
  @ApiProperty({ example: 200, minimum: 1, maximum: 1_000_000, description: 'Messages a sender may relay per clock hour' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  messagesPerHour: number;

  @ApiProperty({ example: 1000, minimum: 1, maximum: 10_000_000, description: 'Recipients a sender may relay to in 24 hours' })
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  recipientsPerDay: number;

  @ApiProperty({ example: 50, minimum: 1, maximum: 10_000, description: 'Remote recipients in one message' })
  @IsInt()
  @Min(1)
  @Max(10_000)
  recipientsPerMessage: number;
}

export class CreateAgreementVersionDto {
  @ApiProperty({ example: 'Anti-spam service agreement 2027', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiProperty({ description: 'The terms in Markdown. Line endings are stored as \\n; the SHA-256 is taken over this text.', maxLength: 100_000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100_000)
  text: string;

  @ApiProperty({ type: AgreementLimitsDto, description: 'Default limits, copied into each agreement signed on this version' })
  @IsObject()
  @ValidateNested()
  @Type(() => AgreementLimitsDto)
  limits: AgreementLimitsDto;
}

export class UpdateAgreementVersionDto extends PartialType(CreateAgreementVersionDto) {}

export class AgreementVersionListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['draft', 'published'] })
  @IsOptional()
  @IsIn(['draft', 'published'])
  status?: 'draft' | 'published';
}

export class AgreementVersionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: Number, nullable: true, description: '1, 2, 3 ... in publishing order; null for a draft' }) number: number | null;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'Markdown, exactly as signers see it' }) text: string;
  @ApiProperty({ enum: ['draft', 'published'] }) status: 'draft' | 'published';
  @ApiProperty({ type: String, nullable: true, description: 'Hex SHA-256 of the UTF-8 text; set when published' }) sha256: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt: Date | null;
  @ApiProperty({ type: AgreementLimitsDto }) limits: AgreementLimitsDto;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(v: AgreementVersion): AgreementVersionDto {
    return {
      id: v.id,
      number: v.number,
      title: v.title,
      text: v.text,
      status: v.status,
      sha256: v.sha256,
      publishedAt: v.publishedAt,
      limits: { messagesPerHour: v.messagesPerHour, recipientsPerDay: v.recipientsPerDay, recipientsPerMessage: v.recipientsPerMessage },
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
    };
  }

  /** For the audit log: the text itself is not repeated in every event (published text never changes). */
  static summary(v: AgreementVersion): Omit<AgreementVersionDto, 'text'> {
    const { text: _text, ...rest } = AgreementVersionDto.from(v);
    return rest;
  }
}
