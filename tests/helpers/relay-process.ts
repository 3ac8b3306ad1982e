/**
 * Spawn a real relay process (`node relay/run.ts`) on 127.0.0.1 with an ephemeral port, for the
 * integration tests and the benchmark: reads the URL the relay prints once ready, keeps its JSON
 * log lines, and stops it gracefully (SIGTERM), or kills it (SIGKILL) for crash tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The relay entry point the tests run. */
export const RELAY_ENTRY = join(REPO_ROOT, 'relay', 'run.ts');
/** How long a relay may take to print its URL. */
export const START_TIMEOUT_MS = 30_000;

/** A relay running in a child process. */
export interface RelayProcess {
	/** `http://127.0.0.1:PORT` */
	url: string;
	/** `ws://127.0.0.1:PORT/gun` */
	gunUrl: string;
	port: number;
	pid: number;
	dataDir: string;
	child: ChildProcess;
	/** Parsed JSON log lines (stderr) so far. */
	logs: Record<string, unknown>[];
	/** SIGTERM and wait for exit; resolves to the exit code. */
	stop(): Promise<number | null>;
	/** SIGKILL (no cleanup at all) and wait for the process to be gone. */
	kill9(): Promise<void>;
	/** Peak resident memory so far (VmHWM), in KiB, from /proc; undefined off Linux. */
	peakRssKiB(): number | undefined;
	/** Current resident memory (VmRSS), in KiB. */
	rssKiB(): number | undefined;
}

/** Options of {@link startRelayProcess}. */
export interface RelayProcessOptions {
	/** Data directory; a fresh temporary one by default. */
	dataDir?: string;
	/** Extra CLI arguments (e.g. `['--peers', url]`). */
	args?: string[];
	/** Extra environment variables. */
	env?: Record<string, string>;
	/** Fixed port (e.g. to restart on the same one); 0 by default. */
	port?: number;
}

/**
 * A fresh temporary directory for a relay's data.
 * @param label - part of the directory name
 * @returns its absolute path
 */
export function tempDataDir(label = 'relay'): string {
	return mkdtempSync(join(tmpdir(), `miaou-${label}-`));
}

/** Remove a data directory made by {@link tempDataDir}. */
export function removeDataDir(dir: string): void {
	rmSync(dir, { recursive: true, force: true });
}

function procStatus(pid: number, field: string): number | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/status`, 'utf8');
		const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
		return m ? Number(m[1]) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Start a relay process and wait until it prints its URL.
 * @param opts - data directory, extra arguments and environment, port
 * @returns the running {@link RelayProcess}
 * @throws {Error} when it exits or stays silent for START_TIMEOUT_MS
 */
export async function startRelayProcess(opts: RelayProcessOptions = {}): Promise<RelayProcess> {
	const dataDir = opts.dataDir ?? tempDataDir();
	const args = [
		RELAY_ENTRY,
		'--host',
		'127.0.0.1',
		'--port',
		String(opts.port ?? 0),
		'--data',
		dataDir,
		'--web',
		'none',
		// Ephemeral libp2p port too, so that relays started side by side never collide.
		...(opts.args?.includes('--ipfs-listen') ? [] : ['--ipfs-listen', '/ip4/127.0.0.1/tcp/0/ws']),
		...(opts.args ?? [])
	];
	const child = spawn(process.execPath, args, {
		cwd: REPO_ROOT,
		env: { ...process.env, NODE_OPTIONS: '', ...opts.env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const logs: Record<string, unknown>[] = [];
	let stderrTail = '';
	let buffer = '';
	child.stderr!.setEncoding('utf8');
	child.stderr!.on('data', (chunk: string) => {
		buffer += chunk;
		let nl: number;
		while ((nl = buffer.indexOf('\n')) >= 0) {
			const line = buffer.slice(0, nl);
			buffer = buffer.slice(nl + 1);
			try {
				logs.push(JSON.parse(line) as Record<string, unknown>);
			} catch {
				stderrTail = (stderrTail + line + '\n').slice(-4000);
			}
		}
	});
	const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
	const url = await new Promise<string>((resolveUrl, rejectUrl) => {
		let out = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			rejectUrl(new Error(`The relay did not start within ${START_TIMEOUT_MS} ms. ${stderrTail}`));
		}, START_TIMEOUT_MS);
		child.stdout!.setEncoding('utf8');
		child.stdout!.on('data', (chunk: string) => {
			out += chunk;
			const m = /Miaou relay listening on (http:\/\/[^\s]+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolveUrl(m[1]!);
			}
		});
		void exited.then((code) => {
			clearTimeout(timer);
			rejectUrl(new Error(`The relay exited with code ${code} before it was ready. ${stderrTail}`));
		});
	});
	const port = Number(new URL(url).port);
	const pid = child.pid!;
	return {
		url,
		gunUrl: `ws://127.0.0.1:${port}/gun`,
		port,
		pid,
		dataDir,
		child,
		logs,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
			child.kill('SIGTERM');
			return exited;
		},
		async kill9() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGKILL');
			await exited;
		},
		peakRssKiB: () => procStatus(pid, 'VmHWM'),
		rssKiB: () => procStatus(pid, 'VmRSS')
	};
}
