import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { Webhook, WebhookDelivery, WebhookDeliveryStatus } from '../../../../libs/core/src/entities';
import { EVENT_TYPE_PATTERN } from '../../../../libs/core/src/webhooks/webhook-fanout';
import { PageQuery } from '../common/pagination';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://billing.isp.example/postbode/events', description: 'http or https URL that receives POSTs' })
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(2000)
  url: string;

  @ApiProperty({ type: [String], example: ['agreement.*', 'customer.suspended'], description: 'Actions, prefixes ending in .* , or * for all' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(EVENT_TYPE_PATTERN, { each: true, message: 'each event type must be an action (agreement.signed), a prefix (agreement.*) or *' })
  eventTypes: string[];

  @ApiPropertyOptional({ description: 'HMAC secret, 24-200 characters; made for you when left out. Shown only in the response to this request.' })
  @IsOptional()
  @IsString()
  @MinLength(24)
  @MaxLength(200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'secret must be printable ASCII without spaces' })
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only this customer's events (staff keys); a customer-bound key always gets its own customer" })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(EVENT_TYPE_PATTERN, { each: true, message: 'each event type must be an action (agreement.signed), a prefix (agreement.*) or *' })
  eventTypes?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ maxLength: 200, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;
}

export class WebhookListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}

const DELIVERY_STATUSES: WebhookDeliveryStatus[] = ['pending', 'delivered', 'failed'];

export class DeliveryListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "null: all events; else only this customer's" }) customerId: string | null;
  @ApiProperty() url: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: [String] }) eventTypes: string[];
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(w: Webhook): WebhookDto {
    return { id: w.id, customerId: w.customerId, url: w.url, description: w.description, eventTypes: w.eventTypes, active: w.active, createdAt: w.createdAt, updatedAt: w.updatedAt };
  }
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({ description: 'The HMAC secret for verifying Postbode-Signature. Shown only in this response: store it now.' })
  secret: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'Also sent as the Postbode-Delivery header' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhookId: string;
  @ApiProperty({ format: 'uuid', description: 'The event (payload id); a receiver can use it to ignore repeats' }) eventId: string;
  @ApiProperty({ example: 'agreement.signed' }) eventType: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, description: 'pending: not yet delivered, retried with growing delays; failed: given up' }) status: WebhookDeliveryStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: Date | null;
  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status of the last attempt' }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed' }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(d: WebhookDelivery, eventType: string): WebhookDeliveryDto {
    return {
      id: d.id,
      webhookId: d.webhookId,
      eventId: d.eventId,
      eventType,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      lastAttemptAt: d.lastAttemptAt,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }
}
