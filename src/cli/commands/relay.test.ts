import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors.ts';
import { loadRelayCommand, relayPlaceholder } from './relay.ts';

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'miaou-cli-relay-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe('loadRelayCommand', () => {
	it("mounts the relay's own command", async () => {
		const cmd = await loadRelayCommand();
		expect(cmd).toBeInstanceOf(Command);
		expect(cmd!.name()).toBe('relay');
		expect(cmd!.options.map((o) => o.long)).toContain('--port');
	});

	it('answers undefined when the relay module is absent', async () => {
		expect(await loadRelayCommand(pathToFileURL(join(dir, 'no-such-command.ts')))).toBeUndefined();
	});

	it('lets a broken relay module fail loudly rather than pretend there is no relay', async () => {
		const broken = join(dir, 'broken.mjs');
		await writeFile(broken, "import './missing-dependency.mjs';\nexport function relayCommand() {}\n");
		await expect(loadRelayCommand(pathToFileURL(broken))).rejects.toThrow(/missing-dependency/);
	});
});

describe('relayPlaceholder', () => {
	it('refuses to run, in one sentence', async () => {
		const cmd = relayPlaceholder().exitOverride();
		await expect(cmd.parseAsync(['--port', '0'], { from: 'user' })).rejects.toBeInstanceOf(UsageError);
	});
});

describe('a relay module without relayCommand', () => {
	it('is a bug, not an absent relay', async () => {
		const wrong = join(dir, 'wrong.mjs');
		await writeFile(wrong, 'export const relayCommand = 42;\n');
		await expect(loadRelayCommand(pathToFileURL(wrong))).rejects.toThrow(/does not export relayCommand/);
	});
});
