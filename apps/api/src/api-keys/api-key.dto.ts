import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { SCOPES } from '../../../../libs/core/src/auth/scopes';
import { ApiKey } from '../../../../libs/core/src/entities';
import { PageQuery } from '../common/pagination';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing system', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['billing'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each scope must be one of: ${SCOPES.join(', ')}` })
  scopes: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Bind the key to one customer: it then sees only that customer' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}

export class ApiKeyListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Public part of the key, shown to tell keys apart', example: 'pb_3f9a1c2b7d4e_…' }) hint: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) customerId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(k: ApiKey): ApiKeyDto {
    return {
      id: k.id,
      name: k.name,
      hint: k.prefix.startsWith('env-') ? 'ADMIN_API_KEY' : `pb_${k.prefix}_…`,
      scopes: k.scopes,
      customerId: k.customerId,
      lastUsedAt: k.lastUsedAt,
      revokedAt: k.revokedAt,
      createdAt: k.createdAt,
      updatedAt: k.updatedAt,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The secret bearer token. Shown only in this response: store it now.' })
  key: string;
}
