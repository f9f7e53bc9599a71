import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { positiveNumber } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { connectTransport } from '../connect-transport.js';
import { DemoTraffic } from '../demo/demo-traffic.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { addProbeOptions, startProbe, type ProbeOptions } from '../probe-options.js';

interface DemoOptions extends GlobalOptions, ProbeOptions {
  readonly rate: number;
  readonly day: number;
  readonly count?: number;
}

function positiveInteger(flag: string): (value: string) => number {
  const parse = positiveNumber(flag);
  return (value) => Math.ceil(parse(value));
}

/**
 * `statbus demo`: the traffic generator of `statbus up --demo` on its own, publishing over the configured
 * transport — the demo producer of the docker-compose stack. Runs until SIGINT/SIGTERM (or `--count`
 * messages), then waits for every publish it started and says how many the bus accepted; exits 1 when any was
 * refused by its own producer or not taken by the bus.
 */
export function demoCommand(io: CliIo): Command {
  return addProbeOptions(addGlobalOptions(new Command('demo')))
    .description('publish demo traffic imitating an organisation’s services (builds, updates, commits, sign-ups, badges…) until stopped')
    .option('--rate <n>', 'messages a second at the busiest hour', positiveNumber('--rate'), 20)
    .option('--day <seconds>', 'length of the compressed day, quiet night included', positiveNumber('--day'), 120)
    .option('--count <n>', 'stop after this many messages', positiveInteger('--count'))
    .action(async (options: DemoOptions) => {
      const { config, services, logger } = commandContext(options, io);
      const shutdown = shutdownSignal(io);
      const transport = services.transport();
      let demo: DemoTraffic | undefined;
      const probe = await startProbe(options, () => ({ ready: demo !== undefined, published: demo?.published ?? 0, refused: demo?.refused ?? 0, failed: demo?.failed ?? 0 }));
      try {
        await connectTransport(transport, config);
        demo = new DemoTraffic(services.producer(), { rate: options.rate, dayMs: options.day * 1000, ...(options.count === undefined ? {} : { limit: options.count }) }, logger);
        demo.start();
        io.stderr.write(`statbus demo: publishing over ${config.transport}, about ${options.rate} messages/s at the busiest hour${options.count === undefined ? '' : `, ${options.count} in all`}\n`);
        const reason = await Promise.race([shutdown.received, demo.finished.then(() => 'done')]);
        logger.info({ reason }, 'demo stopping');
        const published = await demo.stop();
        io.stderr.write(
          `statbus demo: published ${published} messages` +
            `${demo.refused > 0 ? `, ${demo.refused} refused by the demo's own producer (its fault, not the bus's)` : ''}` +
            `${demo.failed > 0 ? `, ${demo.failed} not taken by the bus` : ''}\n`,
        );
        for (const [kind, reason] of demo.reasons) io.stderr.write(`  ${kind}: ${reason}\n`);
        if (demo.refused > 0 || demo.failed > 0) throw new CliError(`demo: ${demo.refused + demo.failed} message(s) not published (see above)`);
      } finally {
        await transport.close();
        await probe?.close();
      }
    });
}
