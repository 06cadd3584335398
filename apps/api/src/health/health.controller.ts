import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PublicRoute } from '../common/auth';

class HealthDto {
  @ApiProperty({ example: 'ok' }) status: string;
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('healthz')
  @HttpCode(200)
  @PublicRoute('liveness probe')
  @ApiOkResponse({ type: HealthDto, description: 'The process is up' })
  healthz(): HealthDto {
    return { status: 'ok' };
  }

  @Get('readyz')
  @PublicRoute('readiness probe')
  @ApiOkResponse({ type: HealthDto, description: 'The database answers' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer' })
  async readyz(): Promise<HealthDto> {
    try {
      await Promise.race([this.db.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
      return { status: 'ok' };
    } catch {
      throw new ServiceUnavailableException('database unreachable');
    }
  }
}
