/**
 * The web app's figures of issue 4 ("Figures (a benchmark, not timed tests)"), in one run, against
 * a real relay process serving `build/` on 127.0.0.1 and headless Chromium. Run `npx vite build`
 * first, then `node tests/bench/web.bench.ts`.
 *
 * 1. Initial JavaScript of the first page, gzip: `scripts/measure-initial-js.mjs`, run as is.
 * 2. Send → display on the other browser over 100 messages: Alice types and sends, the time runs
 *    until the text is painted inside the viewport of Bob's open conversation. One clock: the
 *    benchmark process's `performance.now()` (before the click, after Bob's page reports it in
 *    view). Beside it, the `/health` HTTP round trip to the same relay from this process.
 * 3. Opening a conversation: from Bob's chat list, click on the chat row, time until the latest
 *    message is painted in view. Warm with 51 messages (during step 2); then after a reload and
 *    unlock (also timed: unlock click → chat row, KDF included) with 101 messages, and with 10,101
 *    after 10,000 incoming messages are written into Bob's sealed history (one IndexedDB record per
 *    message) by the app's own modules — history-idb, at-rest and the session, found in the
 *    page among its loaded scripts by their exported names — without the network. When those
 *    modules cannot be found, the 10,000 figure says "not measured"; nothing is extrapolated.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { openProfile, type Profile } from '../e2e/browser.ts';
import { REPO_ROOT, removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import {
	DELIVERY_TIMEOUT_MS,
	inviteLink,
	KDF_TIMEOUT_MS,
	messageWith,
	onboard,
	openChat,
	summary,
	typeAndSend,
	unlock,
	visible
} from './web-helpers.ts';

/** Messages of step 2. */
const MESSAGES = 100;
/** After this many, step 3 opens the (shorter) conversation once. */
const SHORT_CONVERSATION_AT = 50;
/** `/health` round trips of the baseline. */
const HEALTH_ROUNDS = 100;
/** Opens timed after the first one, per conversation size. */
const WARM_OPENS = 3;
/** Messages written straight into Bob's history for the long conversation. */
const SEEDED = 10_000;
/** Bound on the whole run. */
const RUN_TIMEOUT_MS = 20 * 60_000;

const run = promisify(execFile);
const watchdog = setTimeout(() => {
	console.error(`web.bench: over ${RUN_TIMEOUT_MS / 60_000} minutes, giving up.`);
	process.exit(1);
}, RUN_TIMEOUT_MS);
watchdog.unref();

const lines: string[] = [];
const print = (line: string) => {
	lines.push(line);
	console.log(line);
};

/** Step 1: the initial-JS script as a child process (it exits 1 when over budget: still a figure). */
async function initialJs(): Promise<string> {
	const script = join(REPO_ROOT, 'scripts', 'measure-initial-js.mjs');
	try {
		const { stdout } = await run(process.execPath, [script], { cwd: REPO_ROOT, timeout: 120_000 });
		return stdout.split('\n')[0] ?? '';
	} catch (error) {
		const stdout = (error as { stdout?: string }).stdout;
		if (stdout) return `${stdout.split('\n')[0] ?? ''} (OVER BUDGET)`;
		throw error;
	}
}

/**
 * Wait until the message with this text is painted inside the viewport (polled every frame).
 * @returns the benchmark process's clock at that moment
 */
async function paintedInView(page: Page, text: string, timeout: number): Promise<number> {
	await page.waitForFunction(
		(wanted) => {
			const nodes = document.querySelectorAll('[data-testid="message"] .text');
			for (let i = nodes.length - 1; i >= 0; i--) {
				const node = nodes[i];
				if (!node || node.textContent !== wanted) continue;
				const r = node.getBoundingClientRect();
				return r.height > 0 && r.bottom > 0 && r.top < window.innerHeight;
			}
			return false;
		},
		text,
		{ polling: 'raf', timeout }
	);
	return performance.now();
}

/** Step 3: from the chat list, click on the row and wait for the latest message in view. */
async function openConversationTime(page: Page, contactName: string, last: string): Promise<number> {
	await page.getByRole('link', { name: 'Chats', exact: true }).click();
	const row = await visible(page.getByTestId('chat-row').filter({ hasText: contactName }));
	const started = performance.now();
	await row.click();
	return (await paintedInView(page, last, DELIVERY_TIMEOUT_MS)) - started;
}

/** Times of opening one conversation, in ms. */
interface OpenTimes {
	/** Unlock click → chat row visible (KDF, then the sealed history and contacts read). */
	unlock: number;
	/** The first open after unlock. */
	first: number;
	/** The next {@link WARM_OPENS} opens (back to the chat list each time). */
	warm: number[];
}

/** Reload, unlock, time the chat list's row, then time opening the conversation, cold then warm. */
async function openAfterUnlock(page: Page, origin: string, last: string): Promise<OpenTimes> {
	await page.goto(origin);
	const started = performance.now();
	await unlock(page);
	await visible(page.getByTestId('chat-row').filter({ hasText: 'Alice' }), KDF_TIMEOUT_MS);
	const unlockMs = performance.now() - started;
	const first = await openConversationTime(page, 'Alice', last);
	const warm: number[] = [];
	for (let i = 0; i < WARM_OPENS; i++) warm.push(await openConversationTime(page, 'Alice', last));
	return { unlock: unlockMs, first, warm };
}

const openLine = (size: number, t: OpenTimes) =>
	`${size} messages: unlock → chat list ${t.unlock.toFixed(0)} ms; first open ${t.first.toFixed(1)} ms; ` +
	`next opens ${t.warm.map((v) => v.toFixed(1)).join(', ')} ms`;

/**
 * Add `n` incoming messages to the sealed history of the unlocked app in `page`, through the app's
 * own modules (already loaded: history-idb, at-rest, the session), found among the page's loaded
 * scripts by the names they export. The caller reloads, so the figure is of a fresh open.
 * @returns the latest seeded text
 * @throws when a module cannot be found or the write fails
 */
async function seedHistory(page: Page, contact: string, n: number): Promise<string> {
	return page.evaluate(
		async ({ contact, n }) => {
			const urls = performance
				.getEntriesByType('resource')
				.map((e) => e.name)
				.filter((u) => u.includes('/_app/immutable/') && u.endsWith('.js'));
			// The minified bundle's modules have no types here: they are checked by shape below.
			// eslint-disable-next-line @typescript-eslint/no-explicit-any
			const found: Record<string, any> = {};
			for (const url of urls) {
				// eslint-disable-next-line @typescript-eslint/no-explicit-any
				const mod: Record<string, any> = await import(/* @vite-ignore */ url);
				if (typeof mod.indexedDbHistoryStorage === 'function') found.history = mod;
				for (const value of Object.values(mod)) {
					if (!value || typeof value !== 'object') continue;
					try {
						if (typeof value.deriveAtRestKey === 'function') found.atRest = value;
						const id = value.identity?.id;
						if (typeof id === 'string' && id.startsWith('did:key:') && value.identity.signing) found.session = value;
					} catch {
						// a getter that throws is not what we look for
					}
				}
			}
			const missing = ['history', 'atRest', 'session'].filter((k) => !found[k]);
			if (missing.length) throw new Error(`app modules not found: ${missing.join(', ')}`);
			const identity = found.session.identity;
			// The app's own store (one sealed record per message), opened the way messenger.svelte.ts does.
			const history = found.history.indexedDbHistoryStorage({
				dbName: `miaou-history-${identity.id}`,
				key: found.atRest.deriveAtRestKey(identity, 'history')
			});
			const base = Date.now() - 2 * n;
			const adds = [];
			let last = '';
			for (let i = 0; i < n; i++) {
				const id = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
					.replace(/\+/g, '-')
					.replace(/\//g, '_')
					.replace(/=+$/, '');
				last = `seeded message ${String(i).padStart(5, '0')}`;
				adds.push(
					history.add({
						id,
						contact,
						direction: 'in',
						text: last,
						sentAt: base + 2 * i,
						receivedAt: base + 2 * i,
						status: 'read'
					})
				);
			}
			await Promise.all(adds);
			history.close();
			return last;
		},
		{ contact, n }
	);
}

async function healthRoundTrips(url: string): Promise<number[]> {
	const samples: number[] = [];
	for (let i = 0; i < HEALTH_ROUNDS; i++) {
		const started = performance.now();
		const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
		await response.arrayBuffer();
		if (!response.ok) throw new Error(`/health answered ${response.status}`);
		samples.push(performance.now() - started);
	}
	return samples;
}

async function main(): Promise<void> {
	const load = (await import('node:os')).loadavg().map((v) => v.toFixed(2));
	print(`Date ${new Date().toISOString()}, load average ${load.join(' ')}`);
	print(`Initial JS: ${await initialJs()}`);

	let relay: RelayProcess | undefined;
	let alice: Profile | undefined;
	let bob: Profile | undefined;
	try {
		relay = await startRelayProcess({ args: ['--web', 'build'] });
		const origin = relay.url;
		[alice, bob] = await Promise.all([openProfile(), openProfile()]);
		const a = await alice.context.newPage();
		let b = await bob.context.newPage();

		// Connect them as chat.e2e.ts does: both onboard, Bob opens Alice's invite link in a new
		// tab, unlocks, adds her and writes first; Alice opens the conversation that appears.
		await onboard(a, origin, 'Alice');
		await onboard(b, origin, 'Bob');
		const link = await inviteLink(a);
		await b.close();
		b = await bob.context.newPage();
		await b.goto(link);
		await unlock(b);
		await visible(b.getByText('Alice invites you to talk on Miaou.'), KDF_TIMEOUT_MS);
		await b.getByRole('button', { name: 'Add this contact' }).click();
		await visible(b.getByTestId('safety-number'));
		await b.getByRole('link', { name: 'Write' }).click();
		await visible(b.getByTestId('conversation-name').filter({ hasText: 'Alice' }));
		await typeAndSend(b, 'Hello Alice');
		await openChat(a, 'Bob');
		await visible(messageWith(a, 'Hello Alice'), DELIVERY_TIMEOUT_MS);

		// Step 2 (with step 3's short conversation after SHORT_CONVERSATION_AT messages).
		const delays: number[] = [];
		let failures = 0;
		let shortOpen: number | undefined;
		let lastText = 'Hello Alice';
		for (let i = 1; i <= MESSAGES; i++) {
			const text = `bench message ${String(i).padStart(3, '0')}`;
			const started = performance.now();
			await typeAndSend(a, text);
			try {
				delays.push((await paintedInView(b, text, DELIVERY_TIMEOUT_MS)) - started);
				lastText = text;
			} catch {
				failures++;
			}
			if (i % 10 === 0) console.error(`  … ${i}/${MESSAGES} messages`);
			if (i === SHORT_CONVERSATION_AT) shortOpen = await openConversationTime(b, 'Alice', lastText);
		}
		print(
			`Send → painted on the other browser, through the relay (benchmark-process clock): ${summary(delays)}` +
				(failures ? `; ${failures} not shown within ${DELIVERY_TIMEOUT_MS} ms` : '')
		);
		print(`Baseline, /health HTTP round trip to the same relay: ${summary(await healthRoundTrips(origin))}`);
		// Step 3. The conversation holds Bob's first message and the MESSAGES of step 2.
		const size = 1 + MESSAGES;
		const contact = decodeURIComponent(new URL(b.url()).pathname.split('/').pop() ?? '');
		print(
			`Open a conversation (click on the chat row → latest message painted in view), warm, ` +
				`${SHORT_CONVERSATION_AT + 1} messages: ${shortOpen?.toFixed(1) ?? 'n/a'} ms`
		);
		print(`Open after reload + unlock, ${openLine(size, await openAfterUnlock(b, origin, lastText))}`);
		try {
			const seededLast = await seedHistory(b, contact, SEEDED);
			print(`Open after reload + unlock, ${openLine(size + SEEDED, await openAfterUnlock(b, origin, seededLast))}`);
		} catch (error) {
			print(`Open a conversation of ${size + SEEDED} messages: not measured (${(error as Error).message})`);
		}
	} finally {
		await Promise.all([alice?.close(), bob?.close()]);
		await relay?.stop();
		if (relay) removeDataDir(relay.dataDir);
	}
}

await main();
clearTimeout(watchdog);
