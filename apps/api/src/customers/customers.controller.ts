import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/auth';
import { Caller, CurrentCaller } from '../common/caller';
import { ErrorResponse } from '../common/errors';
import { IdParam } from '../common/id-param';
import { ListOf } from '../common/list-of';
import { CreateCustomerDto, CustomerDto, CustomerListQuery, SuspendCustomerDto, UpdateCustomerDto } from './customer.dto';
import { CustomersService } from './customers.service';

@ApiTags('customers')
@ApiNotFoundResponse({ type: ErrorResponse })
@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @Authenticated('customers:write')
  @ApiCreatedResponse({ type: CustomerDto })
  @ApiConflictResponse({ type: ErrorResponse, description: 'externalRef already used' })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateCustomerDto): Promise<CustomerDto> {
    return this.customers.create(caller, dto);
  }

  @Get()
  @Authenticated('customers:read')
  @ApiOkResponse({ type: ListOf(CustomerDto) })
  list(@CurrentCaller() caller: Caller, @Query() query: CustomerListQuery) {
    return this.customers.list(caller, query);
  }

  @Get('by-external-ref/:externalRef')
  @Authenticated('customers:read')
  @ApiOkResponse({ type: CustomerDto })
  getByExternalRef(@CurrentCaller() caller: Caller, @Param('externalRef') externalRef: string): Promise<CustomerDto> {
    return this.customers.getByExternalRef(caller, externalRef);
  }

  @Get(':id')
  @Authenticated('customers:read')
  @ApiOkResponse({ type: CustomerDto })
  get(@CurrentCaller() caller: Caller, @IdParam('customer') id: string): Promise<CustomerDto> {
    return this.customers.get(caller, id);
  }

  @Patch(':id')
  @Authenticated('customers:write')
  @ApiOkResponse({ type: CustomerDto })
  update(@CurrentCaller() caller: Caller, @IdParam('customer') id: string, @Body() dto: UpdateCustomerDto): Promise<CustomerDto> {
    return this.customers.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated('customers:write')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The customer still has domains' })
  remove(@CurrentCaller() caller: Caller, @IdParam('customer') id: string): Promise<void> {
    return this.customers.remove(caller, id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Authenticated('customers:write')
  @ApiOkResponse({ type: CustomerDto })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Already suspended' })
  suspend(@CurrentCaller() caller: Caller, @IdParam('customer') id: string, @Body() dto: SuspendCustomerDto): Promise<CustomerDto> {
    return this.customers.suspend(caller, id, dto.reason);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Authenticated('customers:write')
  @ApiOkResponse({ type: CustomerDto })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Already active' })
  reactivate(@CurrentCaller() caller: Caller, @IdParam('customer') id: string): Promise<CustomerDto> {
    return this.customers.reactivate(caller, id);
  }
}
