import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { MailboxRelayStateDto, RelayBlockDto, RelayPermissionDto } from './relay.dto';
import { RelayService } from './relay.service';

/** Relay permission of one mailbox: why it may or may not send to the internet, and the staff override. */
@ApiTags('relay')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/mailboxes')
export class RelayController {
  constructor(private readonly relay: RelayService) {}

  @Get(':id/relay-permission')
  @Authenticated('mailboxes:read', 'agreements:read')
  @ApiOkResponse({ type: RelayPermissionDto, description: 'What the mail server would answer now for a recipient in another domain' })
  permission(@CurrentCaller() caller: Caller, @IdParam('mailbox') id: string): Promise<RelayPermissionDto> {
    return this.relay.permission(caller, id);
  }

  @Post(':id/relay-block')
  @HttpCode(200)
  @Authenticated('agreements:write', 'mailboxes:write')
  @ApiOkResponse({ type: MailboxRelayStateDto, description: 'Relaying blocked for this mailbox only' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Already blocked' })
  block(@CurrentCaller() caller: Caller, @IdParam('mailbox') id: string, @Body() dto: RelayBlockDto): Promise<MailboxRelayStateDto> {
    return this.relay.block(caller, id, dto.reason);
  }

  @Delete(':id/relay-block')
  @Authenticated('agreements:write', 'mailboxes:write')
  @ApiOkResponse({ type: MailboxRelayStateDto, description: 'The block is lifted' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not blocked' })
  unblock(@CurrentCaller() caller: Caller, @IdParam('mailbox') id: string): Promise<MailboxRelayStateDto> {
    return this.relay.unblock(caller, id);
  }
}
