import { Param, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { DomainError } from '../../../../libs/core/src/errors';
import { isUuid } from '../../../../libs/core/src/ids';

class IdPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}
  transform(value: string): string {
    // A malformed id is an unknown id: 404, the same answer as a well-formed one that does not exist.
    if (!isUuid(value)) throw new DomainError('not_found', `${this.what}_not_found`, `No ${this.what.replace(/_/g, ' ')} with id ${String(value).slice(0, 64)}`);
    return value.toLowerCase();
  }
}

/** `:id` path parameter, a UUID. */
export const IdParam = (what: string, name = 'id') => Param(name, new IdPipe(what));

export const ApiIdParam = (name = 'id') => applyDecorators(ApiParam({ name, format: 'uuid', type: String }));
