import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { ListOf } from '../common/list-of';
import { AgreementVersionDto, AgreementVersionListQuery, CreateAgreementVersionDto, UpdateAgreementVersionDto } from './agreement-version.dto';
import { AgreementVersionsService } from './agreement-versions.service';

@ApiTags('agreements')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/agreement-versions')
export class AgreementVersionsController {
  constructor(private readonly versions: AgreementVersionsService) {}

  @Post()
  @Authenticated('agreements:write')
  @ApiCreatedResponse({ type: AgreementVersionDto, description: 'A draft' })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateAgreementVersionDto): Promise<AgreementVersionDto> {
    return this.versions.create(caller, dto);
  }

  @Get()
  @Authenticated('agreements:read')
  @ApiOkResponse({ type: ListOf(AgreementVersionDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: AgreementVersionListQuery) {
    return this.versions.list(caller, query);
  }

  @Get('current')
  @Authenticated('agreements:read')
  @ApiOkResponse({ type: AgreementVersionDto, description: 'The latest published version' })
  current(): Promise<AgreementVersionDto> {
    return this.versions.current();
  }

  @Get(':id')
  @Authenticated('agreements:read')
  @ApiOkResponse({ type: AgreementVersionDto })
  get(@CurrentCaller() caller: Caller, @IdParam('agreement_version') id: string): Promise<AgreementVersionDto> {
    return this.versions.get(caller, id);
  }

  @Patch(':id')
  @Authenticated('agreements:write')
  @ApiOkResponse({ type: AgreementVersionDto })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Published versions never change' })
  update(@CurrentCaller() caller: Caller, @IdParam('agreement_version') id: string, @Body() dto: UpdateAgreementVersionDto): Promise<AgreementVersionDto> {
    return this.versions.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated('agreements:write')
  @ApiNoContentResponse({ description: 'The draft is deleted' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Published versions are kept' })
  remove(@CurrentCaller() caller: Caller, @IdParam('agreement_version') id: string): Promise<void> {
    return this.versions.remove(caller, id);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @Authenticated('agreements:write')
  @ApiOkResponse({ type: AgreementVersionDto, description: 'Published: numbered, hashed, fixed for good' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Already published' })
  publish(@CurrentCaller() caller: Caller, @IdParam('agreement_version') id: string): Promise<AgreementVersionDto> {
    return this.versions.publish(caller, id);
  }
}
