/**
 * npm run send -- <provider> <file> [--url URL] [--source NAME] [--id ID] [--instance ID]
 *
 * Signs the file's delivery exactly as the provider does, with the secrets in
 * this process's environment (the same variables the service reads), posts it,
 * and prints the answer. The file is read as bytes and sent unchanged, so
 * nothing a shell or `curl -d` would strip breaks the signature.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/load-config';
import { isProvider, PROVIDERS, type Provider } from '../ledger/webhook-received';
import { SendError, signedDelivery, type SendOptions } from './signed-delivery';
import { loadEnvFile } from './env-file';

const USAGE = `usage: npm run send -- <${PROVIDERS.join('|')}> <file> [--url http://127.0.0.1:3000] [--source NAME] [--id WEBHOOK_ID] [--instance WIX_INSTANCE]`;

interface Args {
  readonly provider: Provider;
  readonly file: string;
  readonly url: string;
  readonly options: SendOptions;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Args {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const value = argv[i + 1];
      if (value === undefined) throw new SendError(`${arg} needs a value\n${USAGE}`);
      flags.set(arg.slice(2), value);
      i += 1;
    } else positional.push(arg);
  }
  const [provider, file] = positional;
  if (provider === undefined || file === undefined || !isProvider(provider)) {
    throw new SendError(USAGE);
  }
  const unknown = [...flags.keys()].filter((f) => !['url', 'source', 'id', 'instance'].includes(f));
  if (unknown.length > 0) throw new SendError(`unknown option --${unknown[0]}\n${USAGE}`);
  return {
    provider,
    file,
    url: flags.get('url') ?? `http://127.0.0.1:${env.PORT ?? '3000'}`,
    options: {
      source: flags.get('source'),
      id: flags.get('id'),
      instanceId: flags.get('instance'),
      wixPrivateKey: env.WIX_APP_PRIVATE_KEY,
    },
  };
}

async function main(): Promise<number> {
  loadEnvFile();
  const args = parseArgs(process.argv.slice(2), process.env);
  const config = loadConfig(process.env);
  const delivery = signedDelivery(
    args.provider,
    readFileSync(args.file, 'utf8'),
    config,
    args.options,
  );
  const response = await fetch(new URL(delivery.path, args.url), {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  // The path may hold a secret (Refir's token): print only the route.
  process.stdout.write(`POST /webhooks/${args.provider} -> ${response.status}\n`);
  process.stdout.write(`${await response.text()}\n`);
  return response.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof SendError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
