/**
 * `miaou relay`: the operator's command. Every option is also an environment variable
 * `MIAOU_RELAY_<OPTION>` (e.g. `MIAOU_RELAY_PORT=8765`); a flag wins over its variable. The values
 * are checked by config.ts, so `--help` shows the defaults that config.ts applies.
 *
 * The CLI mounts it with `program.addCommand(relayCommand())`; relay/run.ts runs it alone.
 */
import { Command, Option } from 'commander';
import {
	DEFAULT_DATA_DIR,
	DEFAULT_HOST,
	DEFAULT_MAX_CONNECTIONS,
	DEFAULT_MAX_CONNECTIONS_PER_IP,
	DEFAULT_MAX_MESSAGE_BYTES,
	DEFAULT_MAX_UPLOAD_BYTES,
	DEFAULT_MESSAGE_RATE_LIMIT,
	DEFAULT_PORT,
	DEFAULT_RATE_BURST,
	DEFAULT_RATE_LIMIT,
	DEFAULT_RETENTION_MS,
	DEFAULT_STORAGE_QUOTA_BYTES,
	DEV_DATA_DIR,
	resolveRelayConfig,
	type RawRelayOptions
} from './config.ts';
import type { RelayHandle } from './main.ts';

/** Prefix of the environment variables of the relay options. */
export const ENV_PREFIX = 'MIAOU_RELAY_';

function envName(flag: string): string {
	return ENV_PREFIX + flag.replace(/-/g, '_').toUpperCase();
}

/**
 * One option with its environment variable, e.g. opt('port', '<n>', 'TCP port') → `--port <n>`
 * reading MIAOU_RELAY_PORT.
 */
function opt(flag: string, arg: string, description: string): Option {
	return new Option(`--${flag}${arg ? ` ${arg}` : ''}`, description).env(envName(flag));
}

/**
 * Build the `relay` command.
 * @param run - what to do with the checked configuration; default: relay/main.ts `runRelay`
 * @returns a commander Command named `relay`
 * @example program.addCommand(relayCommand())
 */
export function relayCommand(
	run?: (config: ReturnType<typeof resolveRelayConfig>) => Promise<RelayHandle | void>
): Command {
	const gib = (n: number): string => `${n / 1024 ** 3} GiB`;
	const cmd = new Command('relay')
		.description(
			'Run a Miaou community relay: a validating Gun relay, an IPFS node and the web app on one port (docs/relay.md).'
		)
		.addOption(opt('host', '<address>', `address to listen on (use 0.0.0.0 to expose it) [${DEFAULT_HOST}]`))
		.addOption(opt('port', '<n>', `TCP port; 0 picks a free one [${DEFAULT_PORT}]`))
		.addOption(opt('data', '<dir>', `data directory (records database, IPFS repo) [./${DEFAULT_DATA_DIR}]`))
		.addOption(opt('peers', '<urls>', 'comma-separated peer relays to sync with, e.g. wss://relay.example/gun'))
		.addOption(
			opt('max-message-bytes', '<size>', `largest WebSocket frame, e.g. 256KiB [${DEFAULT_MAX_MESSAGE_BYTES}]`)
		)
		.addOption(opt('rate-limit', '<n>', `writes per second per IP address, 0 = unlimited [${DEFAULT_RATE_LIMIT}]`))
		.addOption(opt('rate-burst', '<n>', `writes one IP address may burst [${DEFAULT_RATE_BURST}]`))
		.addOption(
			opt(
				'message-rate-limit',
				'<n>',
				`messages (reads too) per second per IP, 0 = unlimited [${DEFAULT_MESSAGE_RATE_LIMIT}]`
			)
		)
		.addOption(
			opt('max-connections-per-ip', '<n>', `WebSocket connections per IP address [${DEFAULT_MAX_CONNECTIONS_PER_IP}]`)
		)
		.addOption(opt('max-connections', '<n>', `WebSocket connections in total [${DEFAULT_MAX_CONNECTIONS}]`))
		.addOption(opt('storage-quota', '<size>', `IPFS storage quota, e.g. 50GB [${gib(DEFAULT_STORAGE_QUOTA_BYTES)}]`))
		.addOption(
			opt('retention', '<duration>', `how long pinned payloads are kept, e.g. 7d [${DEFAULT_RETENTION_MS / 86400e3}d]`)
		)
		.addOption(opt('max-upload-bytes', '<size>', `largest IPFS upload [${DEFAULT_MAX_UPLOAD_BYTES / 1024 ** 2} MiB]`))
		.addOption(opt('web', '<dir>', 'built web app to serve at / ("none" to serve none) [build/ when it exists]'))
		.addOption(
			opt('ipfs-listen', '<multiaddrs>', 'comma-separated libp2p listen addresses [/ip4/<host>/tcp/4001,…/tcp/4002/ws]')
		)
		.addOption(
			opt(
				'libp2p-announce',
				'<multiaddr>',
				'libp2p address to announce besides the listen ones, e.g. /dns4/relay.example/tcp/443/tls/ws behind a TLS proxy (repeatable, or comma-separated)'
			).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
		)
		.addOption(opt('mdns', '[bool]', 'find other relays on the LAN with libp2p mDNS [false]'))
		.addOption(opt('ipfs', '[bool]', 'run the IPFS node; "--ipfs false" runs the Gun relay only [true]'))
		.addOption(opt('ipfs-api', '<url>', 'mirror pins to a Kubo RPC or IPFS Cluster API at this URL'))
		.addOption(opt('log-level', '<level>', 'debug, info, warn or error [info; debug with --dev]'))
		.addOption(
			opt('dev', '[bool]', `local development relay: port ${DEFAULT_PORT}, data in ./${DEV_DATA_DIR}, serves build/`)
		)
		.action(async (options: Record<string, string | boolean | undefined>) => {
			// The repeatable flag (and its variable, through the same parser) arrives as a list.
			const announce = options.libp2pAnnounce as unknown as string[] | undefined;
			const raw: RawRelayOptions = {
				host: options.host,
				port: options.port,
				data: options.data,
				peers: options.peers,
				maxMessageBytes: options.maxMessageBytes,
				rateLimit: options.rateLimit,
				rateBurst: options.rateBurst,
				messageRateLimit: options.messageRateLimit,
				maxConnectionsPerIp: options.maxConnectionsPerIp,
				maxConnections: options.maxConnections,
				storageQuotaBytes: options.storageQuota,
				retentionMs: options.retention,
				maxUploadBytes: options.maxUploadBytes,
				web: options.web,
				ipfsListen: options.ipfsListen,
				libp2pAnnounce: announce?.join(','),
				mdns: options.mdns,
				ipfs: options.ipfs,
				ipfsApi: options.ipfsApi,
				logLevel: options.logLevel,
				dev: options.dev
			};
			const config = resolveRelayConfig(raw);
			if (run) await run(config);
			else {
				const { runRelay } = await import('./main.ts');
				await runRelay(config);
			}
		});
	return cmd;
}
