import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { ListOf } from '../common/list-of';
import { CreatedWebhookDto, CreateWebhookDto, DeliveryListQuery, UpdateWebhookDto, WebhookDeliveryDto, WebhookDto, WebhookListQuery } from './webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Authenticated('webhooks:write')
  @ApiCreatedResponse({
    type: CreatedWebhookDto,
    description:
      'Each matching event is POSTed as JSON with `Postbode-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`; failures are retried for about 32 hours',
  })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    return this.webhooks.create(caller, dto);
  }

  @Get()
  @Authenticated('webhooks:read')
  @ApiOkResponse({ type: ListOf(WebhookDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: WebhookListQuery) {
    return this.webhooks.list(caller, query);
  }

  @Get(':id')
  @Authenticated('webhooks:read')
  @ApiOkResponse({ type: WebhookDto })
  get(@CurrentCaller() caller: Caller, @IdParam('webhook') id: string): Promise<WebhookDto> {
    return this.webhooks.get(caller, id);
  }

  @Patch(':id')
  @Authenticated('webhooks:write')
  @ApiOkResponse({ type: WebhookDto })
  update(@CurrentCaller() caller: Caller, @IdParam('webhook') id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookDto> {
    return this.webhooks.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated('webhooks:write')
  @ApiNoContentResponse({ description: 'Deleted, with its delivery history' })
  remove(@CurrentCaller() caller: Caller, @IdParam('webhook') id: string): Promise<void> {
    return this.webhooks.remove(caller, id);
  }

  @Get(':id/deliveries')
  @Authenticated('webhooks:read')
  @ApiOkResponse({ type: ListOf(WebhookDeliveryDto), description: 'Deliveries and their outcomes, oldest first' })
  deliveries(@CurrentCaller() caller: Caller, @IdParam('webhook') id: string, @Query() query: DeliveryListQuery) {
    return this.webhooks.deliveries(caller, id, query);
  }
}
