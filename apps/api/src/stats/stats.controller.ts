import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { StatsDto } from './stats.dto';
import { StatsService } from './stats.service';

@ApiTags('stats')
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  /** Any key that may read something may ask; each section needs its own read scope. */
  @Get()
  @Authenticated('customers:read', 'domains:read', 'mailboxes:read', 'aliases:read', 'agreements:read', 'events:read', 'webhooks:read', 'queue:read')
  @ApiOkResponse({ type: StatsDto, description: 'Counts for a dashboard, and which key is calling' })
  get(@CurrentCaller() caller: Caller): Promise<StatsDto> {
    return this.stats.get(caller);
  }
}
