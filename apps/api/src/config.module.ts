import { Global, Module } from '@nestjs/common';
import { PostbodeConfig } from '../../../libs/core/src/config/config';

export const CONFIG = Symbol('PostbodeConfig');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: PostbodeConfig) {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}
