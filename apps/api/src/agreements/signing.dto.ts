import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsEmail, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { AgreementLimitsDto } from '../agreement-versions/agreement-version.dto';
import { AgreementDto } from './agreement.dto';

export class CreateInvitationDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: 14, description: 'Days until the link expires' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  expiresInDays?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'A published version to sign; default: the current one' })
  @IsOptional()
  @IsUUID()
  versionId?: string;
}

export class InvitationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ format: 'uuid', description: 'The version the link asks to sign' }) versionId: string;
  @ApiProperty({ example: 'https://mail.isp.example/sign/Qm9...', description: 'Send this to the customer. Shown only in this response.' }) signingUrl: string;
  @ApiProperty({ description: 'The one-time token inside signingUrl. Shown only in this response.' }) token: string;
  @ApiProperty() expiresAt: Date;
  @ApiProperty() createdAt: Date;
}

export class SigningVersionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() number: number;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'The terms in Markdown: the exact text being signed' }) text: string;
  @ApiProperty({ description: 'The same terms as HTML, for display' }) html: string;
  @ApiProperty({ description: 'SHA-256 of `text`; send it back as versionSha256 when signing' }) sha256: string;
  @ApiProperty({ type: AgreementLimitsDto }) limits: AgreementLimitsDto;
  @ApiProperty() publishedAt: Date;
}

export class SigningPageDto {
  @ApiProperty({ description: 'Who is asked to sign' }) customerName: string;
  @ApiProperty({ type: SigningVersionDto }) version: SigningVersionDto;
  @ApiProperty() expiresAt: Date;
}

export class SignAgreementDto {
  @ApiProperty({ example: 'Jan de Vries', maxLength: 200, description: 'Typed full name of the person signing' })
  @IsString()
  @Matches(/^(?=.*\S)[^\x00-\x1f\x7f]+$/, { message: 'fullName must be one line of text, not empty' })
  @MaxLength(200)
  fullName: string;

  @ApiProperty({ example: 'jan@bakkerij.example' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ type: Boolean, example: true, description: 'Must be exactly true: the signer accepts the terms' })
  @Equals(true, { message: 'accept must be true: the terms are only signed when accepted explicitly' })
  accept: boolean;

  @ApiProperty({ description: 'The sha256 of the version the page showed; signing fails if it is not the one this link is for' })
  @IsString()
  @IsNotEmpty()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'versionSha256 must be a hex SHA-256 (64 characters)' })
  versionSha256: string;
}

export class SignedAgreementDto {
  @ApiProperty({ type: AgreementDto }) agreement: AgreementDto;
  @ApiProperty({ description: 'Where the receipt of this signature can be downloaded with the same link' }) receiptUrl: string;
}
