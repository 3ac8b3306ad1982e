import { afterEach, describe, expect, it } from 'vitest';
import type { RelayConfig } from './config.ts';
import { ENV_PREFIX, relayCommand } from './command.ts';

const saved = { ...process.env };
afterEach(() => {
	for (const k of Object.keys(process.env)) if (k.startsWith(ENV_PREFIX) && !(k in saved)) delete process.env[k];
});

async function parse(args: string[], env: Record<string, string> = {}): Promise<RelayConfig> {
	Object.assign(process.env, env);
	let config: RelayConfig | undefined;
	const cmd = relayCommand(async (c) => {
		config = c;
	});
	cmd.exitOverride();
	await cmd.parseAsync(['node', 'relay', ...args]);
	if (!config) throw new Error('the command did not run');
	return config;
}

describe('relayCommand', () => {
	it('is a command named relay with the operator options', () => {
		const cmd = relayCommand(async () => {});
		expect(cmd.name()).toBe('relay');
		const flags = cmd.options.map((o) => o.long);
		for (const f of [
			'--host',
			'--port',
			'--data',
			'--peers',
			'--max-message-bytes',
			'--rate-limit',
			'--web',
			'--mdns',
			'--ipfs-api',
			'--dev'
		])
			expect(flags).toContain(f);
	});

	it('reads flags', async () => {
		const c = await parse([
			'--port',
			'0',
			'--peers',
			'http://127.0.0.1:1',
			'--rate-limit',
			'3',
			'--mdns',
			'--ipfs',
			'false',
			'--web',
			'none'
		]);
		expect(c).toMatchObject({
			port: 0,
			peers: ['ws://127.0.0.1:1/gun'],
			rateLimit: 3,
			mdns: true,
			ipfs: false,
			webDir: null
		});
	});

	it('reads MIAOU_RELAY_* variables, and a flag wins over its variable', async () => {
		const c = await parse(['--port', '9'], {
			MIAOU_RELAY_PORT: '7',
			MIAOU_RELAY_RATE_LIMIT: '11',
			MIAOU_RELAY_MAX_MESSAGE_BYTES: '128KiB',
			MIAOU_RELAY_MDNS: 'false',
			MIAOU_RELAY_WEB: 'none'
		});
		expect(c).toMatchObject({ port: 9, rateLimit: 11, maxMessageBytes: 131072, mdns: false });
	});

	it('takes --libp2p-announce more than once, or as a comma-separated variable', async () => {
		const tls = '/dns4/relay.example/tcp/443/tls/ws';
		const wss = '/dns4/relay.example/tcp/8443/wss';
		const none = await parse(['--web', 'none']);
		expect(none.libp2pAnnounce).toEqual([]);
		const flags = await parse(['--web', 'none', '--libp2p-announce', tls, '--libp2p-announce', wss]);
		expect(flags.libp2pAnnounce).toEqual([tls, wss]);
		const env = await parse(['--web', 'none'], { MIAOU_RELAY_LIBP2P_ANNOUNCE: `${tls},${wss}` });
		expect(env.libp2pAnnounce).toEqual([tls, wss]);
		await expect(parse(['--web', 'none', '--libp2p-announce', '/ip4/1.2.3.4/udp/1'])).rejects.toThrow(
			'Invalid relay option --libp2p-announce'
		);
	});

	it('refuses a bad value with a sentence naming the option', async () => {
		await expect(parse(['--port', 'eighty', '--web', 'none'])).rejects.toThrow('Invalid relay option --port');
	});
});
