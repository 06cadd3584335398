import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { SignAgreementDto, SignedAgreementDto, SigningPageDto } from './signing.dto';
import { SigningService } from './signing.service';

const WHY = 'the signing token is the credential';

/** What the customer's signing page calls: the token from the link is all it has. */
@ApiTags('signing')
@ApiParam({ name: 'token', description: 'The token from the signing link' })
@ApiNotFoundResponse({ type: ErrorResponse, description: 'signing_link_unknown' })
@Controller('v1/signing')
export class SigningController {
  constructor(private readonly signing: SigningService) {}

  @Get(':token')
  @PublicRoute(WHY)
  @ApiOkResponse({ type: SigningPageDto, description: 'The terms to sign and who is asked to sign them' })
  @ApiGoneResponse({ type: ErrorResponse, description: 'signing_link_used, signing_link_replaced or signing_link_expired' })
  page(@Param('token') token: string): Promise<SigningPageDto> {
    return this.signing.page(token);
  }

  @Post(':token')
  @PublicRoute(WHY)
  @ApiCreatedResponse({ type: SignedAgreementDto, description: 'Signed: the agreement is active' })
  @ApiGoneResponse({ type: ErrorResponse, description: 'signing_link_used, signing_link_replaced or signing_link_expired' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'version_mismatch, or agreement_suspended' })
  sign(@CurrentCaller() caller: Caller, @Param('token') token: string, @Body() dto: SignAgreementDto): Promise<SignedAgreementDto> {
    return this.signing.sign(token, dto, { ip: caller.ip, userAgent: caller.userAgent });
  }

  @Get(':token/receipt')
  @PublicRoute(WHY)
  @ApiProduces('text/markdown')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'The receipt of the signature made with this link' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'signing_link_not_used' })
  async receipt(@Param('token') token: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    const { agreementId, text } = await this.signing.receipt(token);
    // Set here, not with @Header: an error must still go out as JSON.
    res.type('text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="agreement-${agreementId}-receipt.md"`);
    return text;
  }
}
