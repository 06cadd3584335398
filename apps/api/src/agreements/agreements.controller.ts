import { Body, Controller, Get, HttpCode, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { ListOf } from '../common/list-of';
import { AgreementDto, AgreementListQuery, AgreementReasonDto, ClientNetworksDto, ReinstateAgreementDto, UpdateAgreementLimitsDto } from './agreement.dto';
import { AgreementsService } from './agreements.service';

@ApiTags('agreements')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/agreements')
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

  @Get()
  @Authenticated('agreements:read')
  @ApiOkResponse({ type: ListOf(AgreementDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: AgreementListQuery) {
    return this.agreements.list(caller, query);
  }

  @Get(':id')
  @Authenticated('agreements:read')
  @ApiOkResponse({ type: AgreementDto })
  get(@CurrentCaller() caller: Caller, @IdParam('agreement') id: string): Promise<AgreementDto> {
    return this.agreements.get(caller, id);
  }

  @Get(':id/receipt')
  @Authenticated('agreements:read')
  @ApiProduces('text/markdown')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'The receipt: evidence, hash and the terms verbatim' })
  async receipt(@CurrentCaller() caller: Caller, @IdParam('agreement') id: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    const text = await this.agreements.receipt(caller, id);
    // Set here, not with @Header: an error must still go out as JSON.
    res.type('text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="agreement-${id}-receipt.md"`);
    return text;
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Authenticated('agreements:write', 'billing')
  @ApiOkResponse({ type: AgreementDto, description: 'Suspended: its users may no longer relay' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not active' })
  suspend(@CurrentCaller() caller: Caller, @IdParam('agreement') id: string, @Body() dto: AgreementReasonDto): Promise<AgreementDto> {
    return this.agreements.transition(caller, id, 'suspend', dto.reason);
  }

  @Post(':id/reinstate')
  @HttpCode(200)
  @Authenticated('agreements:write', 'billing')
  @ApiOkResponse({ type: AgreementDto, description: 'Active again' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not suspended' })
  reinstate(@CurrentCaller() caller: Caller, @IdParam('agreement') id: string, @Body() dto: ReinstateAgreementDto): Promise<AgreementDto> {
    return this.agreements.transition(caller, id, 'reinstate', dto.reason ?? null);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Authenticated('agreements:write')
  @ApiOkResponse({ type: AgreementDto, description: 'Revoked for good: only a new signature restores relaying' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Already revoked or superseded' })
  revoke(@CurrentCaller() caller: Caller, @IdParam('agreement') id: string, @Body() dto: AgreementReasonDto): Promise<AgreementDto> {
    return this.agreements.transition(caller, id, 'revoke', dto.reason);
  }

  @Patch(':id/limits')
  @Authenticated('agreements:write', 'billing')
  @ApiOkResponse({ type: AgreementDto })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Revoked or superseded agreements keep their limits' })
  updateLimits(@CurrentCaller() caller: Caller, @IdParam('agreement') id: string, @Body() dto: UpdateAgreementLimitsDto): Promise<AgreementDto> {
    return this.agreements.updateLimits(caller, id, dto);
  }

  @Put(':id/client-networks')
  @Authenticated('agreements:write')
  @ApiOkResponse({ type: AgreementDto })
  setClientNetworks(@CurrentCaller() caller: Caller, @IdParam('agreement') id: string, @Body() dto: ClientNetworksDto): Promise<AgreementDto> {
    return this.agreements.setClientNetworks(caller, id, dto.clientNetworks);
  }
}
