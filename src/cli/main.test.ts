import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CliIO } from './context.ts';
import { commandNameIn, run } from './main.ts';
import { EXIT_OK, EXIT_USAGE } from './output.ts';

/** In-process streams: the same `run` the binary calls, with stdout and stderr captured. */
function capture(env: Record<string, string> = {}): CliIO & { out: () => string; err: () => string } {
	let out = '';
	let err = '';
	const stdin = Object.assign(new EventEmitter(), { resume() {}, pause() {} });
	return {
		stdin,
		stdout: { write: (s: string) => (out += s) },
		stderr: { write: (s: string) => (err += s) },
		env,
		out: () => out,
		err: () => err
	};
}

describe('commandNameIn', () => {
	it('finds the command word past global options', () => {
		expect(commandNameIn(['relay', '--port', '0'])).toBe('relay');
		expect(commandNameIn(['--home', 'relay', 'id', 'show'])).toBe('id');
		expect(commandNameIn(['--json', '--home=/x', 'relay'])).toBe('relay');
		expect(commandNameIn(['help', 'relay'])).toBe('relay');
		expect(commandNameIn(['help'])).toBe('help');
		expect(commandNameIn(['--json'])).toBeUndefined();
		expect(commandNameIn(['--', 'relay'])).toBe('relay');
	});
});

describe('run (in-process)', () => {
	it('prints help on stdout and exits 0', async () => {
		const io = capture();
		expect(await run(['--help'], io)).toBe(EXIT_OK);
		expect(io.out()).toContain('Usage: miaou');
		for (const name of ['id', 'sign', 'verify', 'safety-number', 'relay']) expect(io.out()).toContain(name);
		expect(io.err()).toBe('');
	});

	it('shows the global options in a subcommand help', async () => {
		const io = capture();
		expect(await run(['id', 'new', '--help'], io)).toBe(EXIT_OK);
		expect(io.out()).toContain('--force');
		expect(io.out()).toContain('--home <dir>');
		expect(io.out()).toContain('--json');
	});

	it('a missing subcommand is one sentence and exit 2', async () => {
		const io = capture();
		expect(await run(['id'], io)).toBe(EXIT_USAGE);
		expect(io.err()).toBe('miaou: "miaou id" needs a command: new, show, export, import (see "miaou id --help").\n');
		expect(io.out()).toBe('');
	});

	it('an unknown option is one sentence and exit 2, in JSON with --json', async () => {
		const io = capture();
		expect(await run(['id', 'show', '--bogus'], io)).toBe(EXIT_USAGE);
		expect(io.err()).toBe("miaou: Unknown option '--bogus'.\n");

		const jio = capture();
		expect(await run(['--json', 'verify', 'only-one-arg'], jio)).toBe(EXIT_USAGE);
		const parsed = JSON.parse(jio.err()) as { error: { code: string; message: string } };
		expect(parsed.error.code).toBe('ERR_USAGE');
		expect(parsed.error.message).toMatch(/missing required argument/i);
	});

	it('prints the version', async () => {
		const io = capture();
		expect(await run(['--version'], io)).toBe(EXIT_OK);
		expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
	});
});
