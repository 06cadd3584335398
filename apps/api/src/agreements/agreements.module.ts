import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { AgreementsController } from './agreements.controller';
import { AgreementsService } from './agreements.service';
import { InvitationsController } from './invitations.controller';
import { SigningController } from './signing.controller';
import { SigningService } from './signing.service';

@Module({
  imports: [CustomersModule],
  controllers: [AgreementsController, InvitationsController, SigningController],
  providers: [AgreementsService, SigningService],
})
export class AgreementsModule {}

