import { Body, Controller, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { CreateInvitationDto, InvitationDto } from './signing.dto';
import { SigningService } from './signing.service';

@ApiTags('agreements')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/customers')
export class InvitationsController {
  constructor(private readonly signing: SigningService) {}

  @Post(':id/agreement-invitations')
  @Authenticated('agreements:write', 'billing')
  @ApiCreatedResponse({ type: InvitationDto, description: 'A one-time signing link; older open links of this customer stop working' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'No published version, or the current agreement is suspended' })
  create(@CurrentCaller() caller: Caller, @IdParam('customer') id: string, @Body() dto: CreateInvitationDto): Promise<InvitationDto> {
    return this.signing.invite(caller, id, dto);
  }
}
