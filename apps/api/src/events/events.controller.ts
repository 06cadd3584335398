import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ListOf } from '../common/list-of';
import { EventDto, EventListQuery } from './event.dto';
import { EventsService } from './events.service';

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Authenticated('events:read')
  @ApiOkResponse({ type: ListOf(EventDto), description: 'The audit log, oldest first unless order=desc' })
  list(@CurrentCaller() caller: Caller, @Query() query: EventListQuery) {
    return this.events.list(caller, query);
  }
}
