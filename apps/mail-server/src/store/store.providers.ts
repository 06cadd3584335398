import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveryBatcher } from '../../../../libs/core/src/mail-store/delivery-batcher';
import { DELIVERIES } from '../tokens';

/** The mail store as the protocols use it: deliveries go through one group-commit batcher per process. */
export const STORE_PROVIDERS: Provider[] = [
  {
    provide: DELIVERIES,
    inject: [DataSource],
    useFactory: (db: DataSource) => new DeliveryBatcher(db),
  },
];
