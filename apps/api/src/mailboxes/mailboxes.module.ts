import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module';
import { MailboxesController } from './mailboxes.controller';
import { MailboxesService } from './mailboxes.service';

@Module({ imports: [DomainsModule], controllers: [MailboxesController], providers: [MailboxesService], exports: [MailboxesService] })
export class MailboxesModule {}
