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
import { CreateDomainDto, DeleteDomainQuery, DnsRecordsDto, DomainDto, DomainListQuery, UpdateDomainDto } from './domain.dto';
import { DomainsService } from './domains.service';

@ApiTags('domains')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Post()
  @Authenticated('domains:write')
  @ApiCreatedResponse({ type: DomainDto, description: 'Created, with a new DKIM key pair' })
  @ApiConflictResponse({ type: ErrorResponse, description: '`domain_taken`: the name is already hosted' })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateDomainDto): Promise<DomainDto> {
    return this.domains.create(caller, dto);
  }

  @Get()
  @Authenticated('domains:read')
  @ApiOkResponse({ type: ListOf(DomainDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: DomainListQuery) {
    return this.domains.list(caller, query);
  }

  @Get(':id')
  @Authenticated('domains:read')
  @ApiOkResponse({ type: DomainDto })
  get(@CurrentCaller() caller: Caller, @IdParam('domain') id: string): Promise<DomainDto> {
    return this.domains.get(caller, id);
  }

  @Get(':id/dns-records')
  @Authenticated('domains:read')
  @ApiOkResponse({ type: DnsRecordsDto, description: 'The MX, SPF, DKIM and DMARC records the customer publishes' })
  dnsRecords(@CurrentCaller() caller: Caller, @IdParam('domain') id: string): Promise<DnsRecordsDto> {
    return this.domains.dnsRecords(caller, id);
  }

  @Patch(':id')
  @Authenticated('domains:write')
  @ApiOkResponse({ type: DomainDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: '`domain_limit_below_usage`: a limit below what is already used' })
  update(@CurrentCaller() caller: Caller, @IdParam('domain') id: string, @Body() dto: UpdateDomainDto): Promise<DomainDto> {
    return this.domains.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated('domains:write')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({ type: ErrorResponse, description: '`domain_has_mailboxes`: it still has mailboxes or aliases (see removeMailboxes)' })
  remove(@CurrentCaller() caller: Caller, @IdParam('domain') id: string, @Query() query: DeleteDomainQuery): Promise<void> {
    return this.domains.remove(caller, id, query.removeMailboxes ?? false);
  }
}
