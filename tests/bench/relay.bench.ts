/**
 * Relay benchmark, Gun writes (issue 3, Figures): N simulated clients on loopback, each its own
 * WebSocket speaking Gun's wire format, write pre-signed records (signing is not timed) with a
 * fixed number of writes in flight per client. Side by side, in one run:
 *   (a) this relay (`node relay/run.ts`, every record's signature verified, SQLite group commit);
 *   (b) a stock Gun relay without validation: `require('gun')` serving /gun with radisk in a
 *       temporary directory (its defaults, AXE included; only UDP multicast and the stats file off);
 *   (c) a raw `ws` broadcast baseline: parse, ack, send to every other client; no checks, no disk.
 * Each client also follows the previous client's soul, so writes are routed to a subscriber.
 * Before the writes, memory per connected client: RSS of fresh (a) and (b) before and after IDLE
 * connections that each follow one soul.
 *
 * Run: `node tests/bench/relay.bench.ts [--clients 50] [--writes 40] [--window 2] [--idle 500] [--only abc]
 *   [--profile <dir>]`
 * All servers listen on 127.0.0.1 with ephemeral ports; every phase is bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import type { SignedRecord } from '../../src/lib/core/records.ts';
import { identity, trustRecord, type Signer } from '../helpers/relay-fixtures.ts';
import { REPO_ROOT, removeDataDir, startRelayProcess, tempDataDir } from '../helpers/relay-process.ts';

const { values } = parseArgs({
	options: {
		clients: { type: 'string', default: '50' },
		writes: { type: 'string', default: '40' },
		window: { type: 'string', default: '2' },
		idle: { type: 'string', default: '500' },
		only: { type: 'string', default: 'abc' },
		/** Write a CPU profile of relay (a) into this directory (node --cpu-prof). */
		profile: { type: 'string' }
	}
});
const CLIENTS = Number(values.clients);
const WRITES = Number(values.writes);
const WINDOW = Number(values.window);
const IDLE = Number(values.idle);
/** Longest a write phase may take before it is cut short (and reported as such). */
const PHASE_TIMEOUT_MS = 120_000;

interface Server {
	label: string;
	gunUrl: string;
	pid: number;
	stop(): Promise<void>;
}

interface Result {
	label: string;
	accepted: number;
	errors: number;
	seconds: number;
	p50: number;
	p99: number;
	timedOut: boolean;
}

function rssKiB(pid: number): number {
	const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) : NaN;
}

/** Start a Node script given as text in a child process; it prints `PORT <n>` once listening. */
async function childServer(
	label: string,
	script: string,
	env: Record<string, string>
): Promise<Server & { child: ChildProcess }> {
	const child = spawn(process.execPath, ['-e', script], {
		cwd: REPO_ROOT,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const port = await new Promise<number>((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error(`${label} did not start`)), 30_000);
		child.stdout!.setEncoding('utf8');
		child.stdout!.on('data', (c: string) => {
			out += c;
			const m = /PORT (\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		child.once('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
	});
	return {
		label,
		child,
		pid: child.pid!,
		gunUrl: `ws://127.0.0.1:${port}/gun`,
		async stop() {
			child.kill('SIGKILL');
			await new Promise((r) => child.once('exit', r));
		}
	};
}

// (b) The stock relay: what `require('gun')` gives a Node server, with radisk in a temp dir.
const STOCK_GUN = `
const http = require('http');
const log = console.log; console.log = () => {};
const GunLib = require('gun');
console.log = log;
const server = http.createServer().listen(0, '127.0.0.1', () => {
	GunLib({ web: server, file: process.env.DATA + '/radata', multicast: false, stats: false });
	process.stdout.write('PORT ' + server.address().port + '\\n');
});`;

// (c) A raw ws broadcast baseline: parse, ack to the sender, forward to every other client.
const RAW_BROADCAST = `
const http = require('http');
const { WebSocketServer } = require('ws');
const server = http.createServer();
const wss = new WebSocketServer({ server, path: '/gun', perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (data) => {
	let msgs; try { msgs = JSON.parse(data); } catch { return; }
	for (const m of Array.isArray(msgs) ? msgs : [msgs]) {
		if (!m || !m.put) continue;
		ws.send(JSON.stringify({ '@': m['#'], ok: 1 }));
		const raw = JSON.stringify(m);
		for (const other of wss.clients) if (other !== ws && other.readyState === 1) other.send(raw);
	}
}));
server.listen(0, '127.0.0.1', () => process.stdout.write('PORT ' + server.address().port + '\\n'));`;

function putMessage(id: string, rec: SignedRecord): string {
	return JSON.stringify({
		'#': id,
		put: { [rec.soul]: { _: { '#': rec.soul, '>': { [rec.key]: rec.state } }, [rec.key]: rec.value } }
	});
}

async function connect(url: string): Promise<WebSocket> {
	const ws = new WebSocket(url, { perMessageDeflate: false });
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	return ws;
}

/** Run the write phase against one server; every client writes its own records. */
async function writePhase(server: Server, perClient: SignedRecord[][]): Promise<Result> {
	const sockets = await Promise.all(perClient.map(() => connect(server.gunUrl)));
	// Each client follows the previous client's soul, as a recipient follows a mailbox.
	sockets.forEach((ws, i) => {
		const followed = perClient[(i + perClient.length - 1) % perClient.length]![0]!.soul;
		ws.send(JSON.stringify({ '#': `sub${i}`, get: { '#': followed } }));
	});
	await new Promise((r) => setTimeout(r, 300));
	const latencies: number[] = [];
	let accepted = 0;
	let errors = 0;
	const started = performance.now();
	let timedOut = false;
	await Promise.race([
		Promise.all(
			sockets.map(
				(ws, c) =>
					new Promise<void>((resolve) => {
						const recs = perClient[c]!;
						const sentAt = new Map<string, number>();
						let next = 0;
						let done = 0;
						const send = (): void => {
							if (next >= recs.length) return;
							const id = `c${c}w${next}x${Math.random().toString(36).slice(2, 8)}`;
							sentAt.set(id, performance.now());
							ws.send(putMessage(id, recs[next++]!));
						};
						ws.on('message', (data: Buffer) => {
							let parsed: unknown;
							try {
								parsed = JSON.parse(data.toString('utf8'));
							} catch {
								return;
							}
							for (const m of (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[]) {
								const t0 = typeof m?.['@'] === 'string' ? sentAt.get(m['@']) : undefined;
								if (t0 === undefined) continue;
								sentAt.delete(m['@'] as string);
								latencies.push(performance.now() - t0);
								if (m.err) errors++;
								else accepted++;
								if (++done === recs.length) resolve();
								else send();
							}
						});
						for (let i = 0; i < WINDOW; i++) send();
					})
			)
		).then(() => undefined),
		new Promise<void>((r) =>
			setTimeout(() => {
				timedOut = true;
				r();
			}, PHASE_TIMEOUT_MS)
		)
	]);
	const seconds = (performance.now() - started) / 1000;
	for (const ws of sockets) ws.terminate();
	latencies.sort((x, y) => x - y);
	const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
	return { label: server.label, accepted, errors, seconds, p50: pct(0.5), p99: pct(0.99), timedOut };
}

/** RSS of a process, sampled a few times after it settled (median), in KiB. */
async function settledRss(pid: number): Promise<number> {
	const samples: number[] = [];
	for (let i = 0; i < 5; i++) {
		await new Promise((r) => setTimeout(r, 300));
		samples.push(rssKiB(pid));
	}
	samples.sort((x, y) => x - y);
	return samples[2]!;
}

/**
 * RSS added per connected client, on a fresh server: open IDLE sockets that each say hello and
 * follow one soul (as a client waiting for its mail does), measure, divide.
 */
async function memoryPerConnection(server: Server): Promise<number> {
	const before = await settledRss(server.pid);
	const sockets: WebSocket[] = [];
	for (let i = 0; i < IDLE; i += 50) {
		const batch = await Promise.all(Array.from({ length: Math.min(50, IDLE - i) }, () => connect(server.gunUrl)));
		batch.forEach((ws, j) => {
			ws.send(
				JSON.stringify([
					{ '#': `hi${i + j}`, dam: 'hi' },
					{ '#': `g${i + j}`, get: { '#': `miaou/v1/box/idle${i + j}` } }
				])
			);
		});
		sockets.push(...batch);
	}
	const after = await settledRss(server.pid);
	for (const ws of sockets) ws.terminate();
	return ((after - before) * 1024) / IDLE;
}

/** Mean commit time and batch size of relay (a), from its /metrics. */
async function commitStats(url: string): Promise<string> {
	const text = await (await fetch(`${url}/metrics`)).text();
	const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
	const commits = value('miaou_relay_commit_seconds_count');
	const ms = (value('miaou_relay_commit_seconds_sum') / commits) * 1000;
	const fields = value('miaou_relay_commit_fields_sum') / commits;
	return `(a) committed in ${commits} transactions: ${ms.toFixed(1)} ms and ${fields.toFixed(1)} fields each on average`;
}

async function main(): Promise<void> {
	console.log(`Pre-signing ${CLIENTS} × ${WRITES} records…`);
	const authors: Signer[] = Array.from({ length: CLIENTS }, () => identity());
	const t = Date.now() - 60_000;
	const perClient: SignedRecord[][] = [];
	for (let c = 0; c < CLIENTS; c++) {
		const recs: SignedRecord[] = [];
		for (let w = 0; w < WRITES; w++) recs.push(await trustRecord(authors[c]!, identity().id, t + w));
		perClient.push(recs);
	}

	const results: Result[] = [];
	let commits = '';
	const memory: { label: string; bytes: number }[] = [];
	const dirs: string[] = [];

	if (values.only.includes('a')) {
		const dir = tempDataDir('bench-a');
		dirs.push(dir);
		const relay = await startRelayProcess({
			dataDir: dir,
			args: [
				'--ipfs',
				'false',
				'--rate-limit',
				'0',
				'--message-rate-limit',
				'0',
				'--max-connections-per-ip',
				String(IDLE + CLIENTS + 10)
			],
			env: values.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values.profile}` } : {}
		});
		const server: Server = {
			label: '(a) Miaou relay, verifying',
			gunUrl: relay.gunUrl,
			pid: relay.pid,
			stop: async () => void (await relay.stop())
		};
		memory.push({ label: server.label, bytes: await memoryPerConnection(server) });
		results.push(await writePhase(server, perClient));
		commits = await commitStats(relay.url);
		await server.stop();
	}
	if (values.only.includes('b')) {
		const dir = tempDataDir('bench-b');
		dirs.push(dir);
		const server = await childServer('(b) stock Gun relay (radisk)', STOCK_GUN, { DATA: dir });
		memory.push({ label: server.label, bytes: await memoryPerConnection(server) });
		results.push(await writePhase(server, perClient));
		await server.stop();
	}
	if (values.only.includes('c')) {
		const server = await childServer('(c) raw ws broadcast', RAW_BROADCAST, {});
		results.push(await writePhase(server, perClient));
		await server.stop();
	}
	for (const d of dirs) removeDataDir(d);

	console.log(`\n${CLIENTS} clients × ${WRITES} writes, ${WINDOW} in flight per client, loopback:\n`);
	console.log('| server | accepted writes/s | p50 ack ms | p99 ack ms | accepted | refused |');
	console.log('|---|---:|---:|---:|---:|---:|');
	for (const r of results)
		console.log(
			`| ${r.label}${r.timedOut ? ' (timed out)' : ''} | ${(r.accepted / r.seconds).toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.accepted} | ${r.errors} |`
		);
	if (commits) console.log(`\n${commits}`);
	console.log(`\nMemory per connected client (RSS delta over ${IDLE} connections, each following one soul):\n`);
	console.log('| server | bytes per connection |');
	console.log('|---|---:|');
	for (const m of memory) console.log(`| ${m.label} | ${(m.bytes / 1024).toFixed(1)} KiB |`);
}

await main();
process.exit(0);
