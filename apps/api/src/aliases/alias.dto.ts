import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Alias } from '../../../../libs/core/src/entities';
import { PageQuery } from '../common/pagination';

export const MAX_ALIAS_TARGETS = 100;

export class CreateAliasDto {
  @ApiProperty({ example: 'sales@bakkerij.example', description: '`local@domain`, or `*@domain` for the catch-all, in a hosted domain of the customer' })
  @IsString()
  @MaxLength(320)
  address: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_ALIAS_TARGETS,
    example: ['anna@bakkerij.example', 'boekhouding@accountant.example'],
    description: 'Mailboxes or aliases in hosted domains (they must exist, or the domain must have a catch-all), or external addresses',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALIAS_TARGETS)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  targets: string[];
}

export class UpdateAliasDto {
  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: MAX_ALIAS_TARGETS, description: 'Replaces the targets' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALIAS_TARGETS)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  targets?: string[];
}

export class AliasListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive search in the address' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  q?: string;

  @ApiPropertyOptional({ description: 'Only aliases that forward to this exact address' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  target?: string;
}

export class AliasDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) domainId: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ example: 'sales@bakkerij.example', description: 'Lower-case; `*@domain` for the catch-all' }) address: string;
  @ApiProperty({ description: 'True for the catch-all `*@domain`: it receives mail for every address of the domain that is not a mailbox or alias' })
  catchAll: boolean;
  @ApiProperty({ type: [String] }) targets: string[];
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(a: Alias): AliasDto {
    return {
      id: a.id,
      domainId: a.domainId,
      customerId: a.customerId,
      address: a.address,
      catchAll: a.address.startsWith('*@'),
      targets: a.targets,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }
}
