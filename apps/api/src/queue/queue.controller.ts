import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { ListOf } from '../common/list-of';
import { QueueActionDto, QueueListQuery, QueueMessageDto, QueueMessageSummaryDto, QueueStatsDto, QueueStatsQuery } from './queue.dto';
import { QueueService } from './queue.service';

const IN_FLIGHT = '`recipient_in_flight`: the delivery worker is sending it right now (try again in a moment)';
const NOT_IN_MESSAGE = '`recipient_not_in_message`: a recipientIds entry is not a recipient of this message (details.field names recipientIds)';
const ACTION_BODY = { type: QueueActionDto, required: false, description: 'Leave out (or send {}) to act on every recipient the action applies to' };

/**
 * Outbound mail waiting to leave. Customer-bound keys see and change only
 * mail that counts against their own customer.
 */
@ApiTags('queue')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/queue')
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  @Get('messages')
  @Authenticated('queue:read')
  @ApiOkResponse({ type: ListOf(QueueMessageSummaryDto), description: 'Queued messages, oldest first; by default those with a recipient still waiting' })
  list(@CurrentCaller() caller: Caller, @Query() query: QueueListQuery) {
    return this.queue.list(caller, query);
  }

  @Get('messages/:id')
  @Authenticated('queue:read')
  @ApiOkResponse({ type: QueueMessageDto, description: 'The message with every recipient and its delivery attempts' })
  get(@CurrentCaller() caller: Caller, @IdParam('queue_message') id: string): Promise<QueueMessageDto> {
    return this.queue.get(caller, id);
  }

  @Post('messages/:id/retry')
  @HttpCode(200)
  @Authenticated('queue:write')
  @ApiBody(ACTION_BODY)
  @ApiOkResponse({ type: QueueMessageDto, description: 'Queued and deferred recipients are due now; the delivery worker is woken' })
  @ApiConflictResponse({ type: ErrorResponse, description: `${IN_FLIGHT}; \`recipient_held\` (release it instead), \`recipient_finished\`, \`queue_message_finished\`` })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: NOT_IN_MESSAGE })
  retry(@CurrentCaller() caller: Caller, @IdParam('queue_message') id: string, @Body() dto: QueueActionDto): Promise<QueueMessageDto> {
    return this.queue.act(caller, id, 'retry', dto);
  }

  @Post('messages/:id/hold')
  @HttpCode(200)
  @Authenticated('queue:write')
  @ApiBody(ACTION_BODY)
  @ApiOkResponse({ type: QueueMessageDto, description: 'Queued and deferred recipients are held until released: heldReason staff when an ISP key holds them (a customer-bound key cannot release those: 403 held_by_staff), customer when a customer-bound key does' })
  @ApiConflictResponse({ type: ErrorResponse, description: `${IN_FLIGHT}; \`recipient_already_held\`, \`recipient_finished\`, \`queue_message_finished\`` })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: NOT_IN_MESSAGE })
  hold(@CurrentCaller() caller: Caller, @IdParam('queue_message') id: string, @Body() dto: QueueActionDto): Promise<QueueMessageDto> {
    return this.queue.act(caller, id, 'hold', dto);
  }

  @Post('messages/:id/release')
  @HttpCode(200)
  @Authenticated('queue:write')
  @ApiBody(ACTION_BODY)
  @ApiOkResponse({ type: QueueMessageDto, description: 'Held recipients are queued and due now; the delivery worker is woken' })
  @ApiConflictResponse({
    type: ErrorResponse,
    description: `${IN_FLIGHT}; \`recipient_not_held\`, \`recipient_finished\`, \`queue_message_finished\`; \`relay_still_suspended\`: held because the sender lost relay permission, which it has not got back (details.reason: customer_suspended, no_agreement, agreement_suspended, agreement_revoked)`,
  })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: NOT_IN_MESSAGE })
  release(@CurrentCaller() caller: Caller, @IdParam('queue_message') id: string, @Body() dto: QueueActionDto): Promise<QueueMessageDto> {
    return this.queue.act(caller, id, 'release', dto);
  }

  @Post('messages/:id/cancel')
  @HttpCode(200)
  @Authenticated('queue:write')
  @ApiBody(ACTION_BODY)
  @ApiOkResponse({ type: QueueMessageDto, description: 'Waiting recipients are cancelled (status 5.0.0); the sender gets a failure notice (DSN) as for a bounce' })
  @ApiConflictResponse({ type: ErrorResponse, description: `${IN_FLIGHT}; \`recipient_finished\`, \`queue_message_finished\`` })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: NOT_IN_MESSAGE })
  cancel(@CurrentCaller() caller: Caller, @IdParam('queue_message') id: string, @Body() dto: QueueActionDto): Promise<QueueMessageDto> {
    return this.queue.act(caller, id, 'cancel', dto);
  }

  @Get('stats')
  @Authenticated('queue:read')
  @ApiOkResponse({ type: QueueStatsDto, description: 'Recipients waiting now, and sent, bounced and cancelled in the last 24 hours' })
  stats(@CurrentCaller() caller: Caller, @Query() query: QueueStatsQuery): Promise<QueueStatsDto> {
    return this.queue.stats(caller, query);
  }
}
