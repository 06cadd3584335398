import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { ListOf } from '../common/list-of';
import { ChangePasswordDto, CreateMailboxDto, MailboxDto, MailboxListQuery, UpdateMailboxDto } from './mailbox.dto';
import { MailboxesService } from './mailboxes.service';

const LIMITS = '`domain_mailbox_limit_reached` (maxMailboxes) or `domain_storage_limit_exceeded` (storageBytes); details name the limit';

@ApiTags('mailboxes')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/mailboxes')
export class MailboxesController {
  constructor(private readonly mailboxes: MailboxesService) {}

  @Post()
  @Authenticated('mailboxes:write')
  @ApiCreatedResponse({ type: MailboxDto })
  @ApiConflictResponse({ type: ErrorResponse, description: '`address_taken`: a mailbox or alias has this address' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: LIMITS })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateMailboxDto): Promise<MailboxDto> {
    return this.mailboxes.create(caller, dto);
  }

  @Get()
  @Authenticated('mailboxes:read')
  @ApiOkResponse({ type: ListOf(MailboxDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: MailboxListQuery) {
    return this.mailboxes.list(caller, query);
  }

  @Get(':id')
  @Authenticated('mailboxes:read')
  @ApiOkResponse({ type: MailboxDto })
  get(@CurrentCaller() caller: Caller, @IdParam('mailbox') id: string): Promise<MailboxDto> {
    return this.mailboxes.get(caller, id);
  }

  @Patch(':id')
  @Authenticated('mailboxes:write')
  @ApiOkResponse({ type: MailboxDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: '`domain_storage_limit_exceeded` when a larger quota does not fit storageBytes' })
  update(@CurrentCaller() caller: Caller, @IdParam('mailbox') id: string, @Body() dto: UpdateMailboxDto): Promise<MailboxDto> {
    return this.mailboxes.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated('mailboxes:write')
  @ApiNoContentResponse({ description: 'Deleted, with its mail' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: '`alias_loop`: its address would fall to a catch-all that then loops' })
  remove(@CurrentCaller() caller: Caller, @IdParam('mailbox') id: string): Promise<void> {
    return this.mailboxes.remove(caller, id);
  }

  @Post(':id/password')
  @HttpCode(204)
  @Authenticated('mailboxes:write')
  @ApiNoContentResponse({ description: 'Changed: the old password stops working at once on every mail server' })
  changePassword(@CurrentCaller() caller: Caller, @IdParam('mailbox') id: string, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.mailboxes.changePassword(caller, id, dto.password);
  }
}
