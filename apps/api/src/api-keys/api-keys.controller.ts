import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { ListOf } from '../common/list-of';
import { ApiKeyDto, ApiKeyListQuery, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';

@ApiTags('api-keys')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Authenticated('admin')
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The secret is in `key`, shown this once' })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(caller, dto);
  }

  @Get()
  @Authenticated('admin')
  @ApiOkResponse({ type: ListOf(ApiKeyDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: ApiKeyListQuery) {
    return this.keys.list(caller, query);
  }

  @Get(':id')
  @Authenticated('admin')
  @ApiOkResponse({ type: ApiKeyDto })
  get(@CurrentCaller() caller: Caller, @IdParam('api_key') id: string): Promise<ApiKeyDto> {
    return this.keys.get(caller, id);
  }

  @Delete(':id')
  @Authenticated('admin')
  @ApiOkResponse({ type: ApiKeyDto, description: 'Revoked: the key stops working at once; the record stays for the audit log' })
  revoke(@CurrentCaller() caller: Caller, @IdParam('api_key') id: string): Promise<ApiKeyDto> {
    return this.keys.revoke(caller, id);
  }
}
