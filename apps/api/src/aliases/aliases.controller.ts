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
import { AliasDto, AliasListQuery, CreateAliasDto, UpdateAliasDto } from './alias.dto';
import { AliasesService } from './aliases.service';

const REFUSED_TARGETS = '`alias_target_unknown` (a hosted target that does not exist), `alias_loop` (details.chain shows the loop)';

@ApiTags('aliases')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/aliases')
export class AliasesController {
  constructor(private readonly aliases: AliasesService) {}

  @Post()
  @Authenticated('aliases:write')
  @ApiCreatedResponse({ type: AliasDto })
  @ApiConflictResponse({ type: ErrorResponse, description: '`address_taken`: a mailbox or alias has this address' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: `\`domain_not_hosted\`, ${REFUSED_TARGETS}` })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateAliasDto): Promise<AliasDto> {
    return this.aliases.create(caller, dto);
  }

  @Get()
  @Authenticated('aliases:read')
  @ApiOkResponse({ type: ListOf(AliasDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: AliasListQuery) {
    return this.aliases.list(caller, query);
  }

  @Get(':id')
  @Authenticated('aliases:read')
  @ApiOkResponse({ type: AliasDto })
  get(@CurrentCaller() caller: Caller, @IdParam('alias') id: string): Promise<AliasDto> {
    return this.aliases.get(caller, id);
  }

  @Patch(':id')
  @Authenticated('aliases:write')
  @ApiOkResponse({ type: AliasDto })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: REFUSED_TARGETS })
  update(@CurrentCaller() caller: Caller, @IdParam('alias') id: string, @Body() dto: UpdateAliasDto): Promise<AliasDto> {
    return this.aliases.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated('aliases:write')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: '`alias_loop`: its address would fall to a catch-all that then loops' })
  remove(@CurrentCaller() caller: Caller, @IdParam('alias') id: string): Promise<void> {
    return this.aliases.remove(caller, id);
  }
}
