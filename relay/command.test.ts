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

	it('refuses a bad value with a sentence naming the option', async () => {
		await expect(parse(['--port', 'eighty', '--web', 'none'])).rejects.toThrow('Invalid relay option --port');
	});
});
