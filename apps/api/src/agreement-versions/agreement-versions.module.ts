import { Module } from '@nestjs/common';
import { AgreementVersionsController } from './agreement-versions.controller';
import { AgreementVersionsService } from './agreement-versions.service';

@Module({ controllers: [AgreementVersionsController], providers: [AgreementVersionsService] })
export class AgreementVersionsModule {}
