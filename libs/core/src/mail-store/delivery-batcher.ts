import { DataSource } from 'typeorm';
import { DeliveryRequest, DeliveryResult, deliverMessages } from './deliver';

/**
 * Group commit for deliveries. Deliveries to one mailbox are serialised by
 * the folder's row lock, held until COMMIT; ten sessions writing to one
 * mailbox would each wait for the others' commits in turn. Instead, messages
 * that arrive while a delivery transaction runs wait for it to finish and then
 * go together in the next transaction: one commit, one lock wait, for all of
 * them. An idle server starts a delivery at once, so nothing waits for a
 * timer, and every caller still gets its result only after COMMIT.
 *
 * If a batch fails (one broken message, a deadlock with some other writer),
 * its messages are retried one by one, so one message never fails another.
 */
export class DeliveryBatcher {
  private queue: { req: DeliveryRequest; resolve: (r: DeliveryResult) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;

  constructor(
    private readonly db: DataSource,
    private readonly opts: { maxMessages: number; maxBytes: number; concurrency: number } = { maxMessages: 50, maxBytes: 8 * 1024 * 1024, concurrency: 2 },
  ) {}

  deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const batch = [this.queue.shift()!];
      let bytes = batch[0].req.raw.length;
      while (this.queue.length > 0 && batch.length < this.opts.maxMessages && bytes + this.queue[0].req.raw.length <= this.opts.maxBytes) {
        const item = this.queue.shift()!;
        bytes += item.req.raw.length;
        batch.push(item);
      }
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async run(batch: typeof this.queue): Promise<void> {
    try {
      const results = await deliverMessages(this.db, batch.map((b) => b.req));
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      for (const b of batch) {
        try {
          b.resolve((await deliverMessages(this.db, [b.req]))[0]);
        } catch (e) {
          b.reject(e);
        }
      }
    }
  }
}
