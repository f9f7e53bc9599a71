import { connect, type Channel } from 'amqplib';

/** Deletes what one measurement declared on the broker (its exchange, shared queue and dead-letter pair); never throws. */
export async function deleteAmqpNames(url: string, names: { exchange: string; queue?: string }): Promise<void> {
  const connection = await connect(url).catch(() => undefined);
  if (connection === undefined) return;
  try {
    const removals: ((channel: Channel) => Promise<unknown>)[] = [
      (channel) => channel.deleteExchange(names.exchange),
      (channel) => channel.deleteExchange(`${names.exchange}.dlx`),
      (channel) => channel.deleteQueue(`${names.exchange}.dead`),
      ...(names.queue === undefined ? [] : [(channel: Channel) => channel.deleteQueue(names.queue as string)]),
    ];
    for (const remove of removals) {
      // A fresh channel each: a failed delete closes its channel.
      const channel = await connection.createChannel().catch(() => undefined);
      if (channel === undefined) return;
      await remove(channel).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Whether RabbitMQ answers at `url`: `undefined` when it does, else why not. */
export async function brokerProblem(url: string): Promise<string | undefined> {
  try {
    const connection = await connect(url, { timeout: 3_000 });
    await connection.close();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
