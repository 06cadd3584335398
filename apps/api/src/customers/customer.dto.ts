import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { Customer } from '../../../../libs/core/src/entities';
import { PageQuery } from '../common/pagination';

export class CreateCustomerDto {
  @ApiProperty({ example: 'Bakkerij de Vries B.V.', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'admin@bakkerij.example' })
  @IsEmail({}, { message: 'contactEmail must be an e-mail address' })
  @MaxLength(254)
  contactEmail: string;

  @ApiPropertyOptional({ example: 'CUST-10042', description: "The billing system's id: unique" })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/^[\x21-\x7e]+$/, { message: 'externalRef must be printable ASCII without spaces' })
  externalRef?: string;
}

export class UpdateCustomerDto extends PartialType(CreateCustomerDto) {}

export class SuspendCustomerDto {
  @ApiProperty({ example: 'Invoice 2026-113 unpaid', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

export class CustomerListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['active', 'suspended'] })
  @IsOptional()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';

  @ApiPropertyOptional({ description: 'Exact billing id' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  externalRef?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive search in the name and the billing id (externalRef)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class CustomerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() contactEmail: string;
  @ApiProperty({ type: String, nullable: true }) externalRef: string | null;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: 'active' | 'suspended';
  @ApiProperty({ type: String, nullable: true }) suspendedReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) suspendedAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(c: Customer): CustomerDto {
    return {
      id: c.id,
      name: c.name,
      contactEmail: c.contactEmail,
      externalRef: c.externalRef,
      status: c.status,
      suspendedReason: c.suspendedReason,
      suspendedAt: c.suspendedAt,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }
}
