/**
 * Runs the real `miaou` binary (`node bin/miaou.js …`, with this test's own Node) in a child
 * process, with a private HOME and data directory and no terminal on stdin — what a script sees.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the binary under test. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'miaou.js');

/** scrypt at N = 2^10 for tests (MIAOU_KDF_LOG_N; docs/cli.md): the default costs about a second per run. */
export const TEST_KDF_LOG_N = '10';

/**
 * Time allowed for one test that runs the binary several times in a row: each run starts Node and
 * strips the TypeScript sources (about 0.5 s alone, several seconds on a loaded CI machine).
 */
export const SLOW_TEST_MS = 180_000;

/** What one run of the binary produced. */
export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Options of one run. */
export interface RunOptions {
	/** Extra environment (MIAOU_PASSPHRASE…); a value of undefined removes the variable. */
	env?: Record<string, string | undefined>;
	/** Extra arguments for node itself, before the binary. */
	nodeArgs?: string[];
	/** Working directory. */
	cwd?: string;
	/** Give up after this many milliseconds (the child is killed). */
	timeoutMs?: number;
}

/**
 * Run `node bin/miaou.js …args` and collect its output.
 * @param args - the command line after `miaou`
 * @param opts - environment and node flags
 * @returns exit code, stdout and stderr
 */
export function miaou(args: string[], opts: RunOptions = {}): Promise<RunResult> {
	const env: Record<string, string> = {};
	// Only what Node needs from the outside: never the developer's own MIAOU_* variables.
	for (const key of ['PATH', 'SYSTEMROOT', 'TMPDIR', 'LANG']) {
		const v = process.env[key];
		if (v !== undefined) env[key] = v;
	}
	env.MIAOU_KDF_LOG_N = TEST_KDF_LOG_N;
	for (const [k, v] of Object.entries(opts.env ?? {})) {
		if (v === undefined) delete env[k];
		else env[k] = v;
	}
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
			cwd: opts.cwd ?? ROOT,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			timeout: opts.timeoutMs ?? 60_000
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
		child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/** A scratch directory for one test file: a fake user home holding data directories. */
export interface Scratch {
	dir: string;
	/** A fresh path for a data directory (not created). */
	home(name: string): string;
	/** The environment for runs against the data directory `home`, with a passphrase. */
	env(home: string, passphrase?: string): Record<string, string | undefined>;
	remove(): Promise<void>;
}

/**
 * Make a scratch directory.
 * @param prefix - its name prefix under the system temporary directory
 * @returns helpers to build data directories and environments inside it
 */
export async function scratch(prefix: string): Promise<Scratch> {
	const dir = await mkdtemp(join(tmpdir(), prefix));
	return {
		dir,
		home: (name) => join(dir, name),
		env: (home, passphrase) => ({ HOME: dir, MIAOU_HOME: home, MIAOU_PASSPHRASE: passphrase }),
		remove: () => rm(dir, { recursive: true, force: true })
	};
}

/**
 * The stderr of a failed run must be exactly one line (the one sentence of docs/cli.md).
 * @param result - the run
 * @returns that line, without the "miaou: " prefix
 */
export function oneLine(result: RunResult): string {
	const lines = result.stderr.split('\n').filter((l) => l !== '');
	if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}: ${result.stderr}`);
	return lines[0]!.replace(/^miaou: /, '');
}

/**
 * Parse the one JSON object a `--json` run printed on stdout, after checking it succeeded.
 * @param result - the run
 * @returns the object
 * @throws {Error} with stderr when the run failed or stdout is not exactly one JSON line
 */
export function json<T = Record<string, unknown>>(result: RunResult): T {
	if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
	const lines = result.stdout.split('\n').filter((l) => l !== '');
	if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got ${lines.length}: ${result.stdout}`);
	return JSON.parse(lines[0]!) as T;
}

/** Relay flags for CLI tests: IPFS on loopback with an ephemeral port, no rate limits. */
export const RELAY_TEST_ARGS = [
	'--ipfs-listen',
	'/ip4/127.0.0.1/tcp/0/ws',
	'--rate-limit',
	'0',
	'--message-rate-limit',
	'0'
];

/**
 * Create an identity in a data directory and return its id.
 * @param s - the scratch directory
 * @param home - the data directory
 * @param passphrase - its passphrase
 * @param name - an optional display name
 * @returns the new id
 */
export async function newIdentity(s: Scratch, home: string, passphrase: string, name?: string): Promise<string> {
	const r = await miaou(['id', 'new', '--json', ...(name === undefined ? [] : ['--name', name])], {
		env: s.env(home, passphrase)
	});
	return json<{ id: string }>(r).id;
}
