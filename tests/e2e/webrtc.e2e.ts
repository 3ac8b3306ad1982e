/**
 * Direct peers in real Chromium (docs/net.md §Direct peers): Alice and Bob in two browser
 * profiles, one relay process serving `build/` with its circuit relay; both switch direct
 * connections on in Settings and become contacts (invite link, first message); each Network
 * screen then lists the other as a direct peer. The proof that the direct path carries messages:
 * Alice's uploads to the relay are cut (`POST /api/v1/car` aborted in her browser), so her next
 * message can never reach Bob through a mailbox — Bob gets it anyway, and his Network screen
 * counts it as received directly.
 *
 * WebRTC stays on loopback: no STUN or TURN server, Chromium may offer loopback candidates and no
 * mDNS names (switches below), and an init script wrapping RTCPeerConnection drops every remote
 * candidate that is not 127.0.0.1 or ::1, so no connectivity check is ever sent to another
 * address. The selected candidate pair of each connection is read back from getStats() and
 * checked.
 *
 * Chromium still gathers candidates on the machine's other interfaces, and a check sent from such
 * a socket to a loopback candidate would make the other side learn that address (a peer-reflexive
 * candidate) and answer to it. So the browsers only ever run in a network namespace that has
 * loopback alone: run outside one, this file starts itself again under `unshare -n` (root, or
 * user namespaces) and passes only if that run passes.
 */
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { openProfile, screenshot, type Profile } from './browser.ts';
import { KDF_TIMEOUT, onboard, PASSPHRASE, send, statusOf, visible } from './flows.ts';

const DELIVERY_TIMEOUT = 45_000;
/** Reservation on the relay, dir entry published and read, WebRTC set up: a few seconds, and the dial round is 20 s. */
const DIRECT_TIMEOUT = 60_000;

/** Chromium switches: loopback candidates allowed, real IPs instead of mDNS names (no multicast). */
const WEBRTC_ARGS = ['--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'];
/**
 * Chromium gathers candidates on every interface (loopback included) only for a page allowed to
 * use the camera or microphone; otherwise on the default route's address alone, which is not
 * loopback. No device is opened: the permission only widens the interface list.
 */
const WEBRTC_PERMISSIONS = ['camera', 'microphone'];

/**
 * Runs before the app in every page: RTCPeerConnection without ICE servers, remote candidates
 * other than loopback dropped (from trickled candidates and from SDP), every connection kept for
 * the stats read below.
 */
function loopbackOnlyWebRtc(): void {
	const Native = window.RTCPeerConnection;
	const isLoopback = (candidate: string): boolean => {
		// candidate:<foundation> <component> <transport> <priority> <address> <port> typ …
		const address = candidate.replace(/^a=/, '').split(' ')[4] ?? '';
		return address === '127.0.0.1' || address === '::1';
	};
	const log = { dropped: [] as string[], connections: [] as RTCPeerConnection[] };
	(window as unknown as { __webrtc: typeof log }).__webrtc = log;
	class LoopbackPeerConnection extends Native {
		constructor(config?: RTCConfiguration) {
			super({ ...config, iceServers: [] });
			log.connections.push(this);
		}
		override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
			const text = candidate?.candidate ?? '';
			if (text !== '' && !isLoopback(text)) {
				log.dropped.push(text);
				return Promise.resolve();
			}
			return super.addIceCandidate(candidate ?? undefined);
		}
		override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
			const sdp = (description.sdp ?? '')
				.split('\r\n')
				.filter((line) => !line.startsWith('a=candidate:') || isLoopback(line))
				.join('\r\n');
			return super.setRemoteDescription({ type: description.type, sdp });
		}
	}
	window.RTCPeerConnection = LoopbackPeerConnection;
}

interface SelectedPair {
	local: string;
	remote: string;
	/** host, srflx, prflx or relay; Chromium hides the address of a peer-reflexive remote. */
	remoteType: string;
	protocol: string;
}

/** The selected candidate pair of every connected RTCPeerConnection of the page. */
async function selectedPairs(page: Page): Promise<{ pairs: SelectedPair[]; dropped: string[] }> {
	return page.evaluate(async () => {
		const log = (window as unknown as { __webrtc: { dropped: string[]; connections: RTCPeerConnection[] } }).__webrtc;
		const pairs: SelectedPair[] = [];
		for (const pc of log.connections) {
			if (pc.connectionState !== 'connected') continue;
			const stats = await pc.getStats();
			const byId = new Map<string, Record<string, unknown>>();
			stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
			for (const s of byId.values()) {
				if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
				const pair = byId.get(s.selectedCandidatePairId);
				const local = pair && byId.get(pair.localCandidateId as string);
				const remote = pair && byId.get(pair.remoteCandidateId as string);
				if (local && remote)
					pairs.push({
						local: `${String(local.address)}:${String(local.port)}`,
						remote: `${String(remote.address ?? '')}:${String(remote.port)}`,
						remoteType: String(remote.candidateType),
						protocol: String(local.protocol)
					});
			}
		}
		return { pairs, dropped: log.dropped };
	});
}

/** True when every network interface here is loopback (inside `unshare -n`). */
const LOOPBACK_ONLY = Object.values(networkInterfaces()).every((addrs) => (addrs ?? []).every((a) => a.internal));

let relay: RelayProcess;
const figures: string[] = [];

beforeAll(async () => {
	if (LOOPBACK_ONLY) relay = await startRelayProcess({ args: ['--web', 'build'] });
});

afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	if (figures.length) console.log(`\nDirect-peer figures:\n  ${figures.join('\n  ')}`);
});

async function newPage(profile: Profile, errors: string[]): Promise<Page> {
	const page = await profile.context.newPage();
	page.on('pageerror', (error) => errors.push(error.message));
	return page;
}

async function enableDirect(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Settings' }).click();
	const form = await visible(page.getByTestId('direct-settings'));
	await form.getByLabel('Connect directly to my contacts when possible').check();
	await form.getByLabel('Contacts connected at once, at most').fill('4');
	await form.getByRole('button', { name: 'Save' }).click();
	await visible(form.getByText('Saved.'));
}

async function openNetwork(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Network', exact: true }).click();
	await visible(page.getByTestId('direct-peers'));
}

// Only one of the two suites exists in a run (so none shows as skipped).
if (!LOOPBACK_ONLY)
	describe('direct peers over WebRTC, in a loopback-only network namespace', () => {
		it('passes when run again under unshare -n', () => {
			const file = 'tests/e2e/webrtc.e2e.ts';
			const run = spawnSync(
				'unshare',
				['-n', 'sh', '-c', `ip link set lo up && exec npx vitest run --config tests/e2e/vitest.config.ts ${file}`],
				{ cwd: process.cwd(), stdio: 'inherit', timeout: 240_000 }
			);
			if (run.error)
				throw new Error(`unshare -n could not run (${run.error.message}): this test needs a network namespace`);
			expect(run.status).toBe(0);
		}, 250_000);
	});

if (LOOPBACK_ONLY)
	describe('direct peers over WebRTC', () => {
		let alice: Profile;
		let bob: Profile;
		let a: Page;
		let b: Page;
		const errors: string[] = [];

		beforeAll(async () => {
			const options = { args: WEBRTC_ARGS, permissions: WEBRTC_PERMISSIONS };
			[alice, bob] = await Promise.all([openProfile(options), openProfile(options)]);
			for (const p of [alice, bob]) await p.context.addInitScript(loopbackOnlyWebRtc);
			await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
			a = await newPage(alice, errors);
			b = await newPage(bob, errors);
		});

		afterAll(async () => {
			await Promise.all([alice?.close(), bob?.close()]);
		});

		it('both switch direct connections on; the Network screen says none is connected yet', async () => {
			await onboard(a, relay.url, 'Alice');
			await onboard(b, relay.url, 'Bob');
			await enableDirect(a);
			await enableDirect(b);
			await openNetwork(a);
			await visible(a.getByText('No contact is connected directly right now.'), DIRECT_TIMEOUT);
			expect(await a.getByTestId('net-summary').getAttribute('data-kind')).toBe('single');
			await screenshot(a, 'network-direct-none');
			await b.getByRole('link', { name: 'Settings' }).click();
			await screenshot(b, 'settings-direct');
		});

		it('they become contacts, and each Network screen lists the other as a direct peer', async () => {
			await a.getByRole('link', { name: 'Contacts' }).click();
			await visible(a.getByTestId('invite-link'));
			const link = await a.getByTestId('invite-link').inputValue();
			// Opened from a mail or a chat: a new tab, so the app loads (locked) and Bob unlocks.
			await b.close();
			b = await newPage(bob, errors);
			await b.goto(link);
			await b.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
			await b.getByRole('button', { name: 'Unlock' }).click();
			await visible(b.getByText('Alice invites you to talk on Miaou.'), KDF_TIMEOUT);
			await b.getByRole('button', { name: 'Add this contact' }).click();
			await visible(b.getByTestId('safety-number'));
			await b.getByRole('link', { name: 'Write' }).click();
			await send(b, 'Hello Alice');
			// Alice's messenger adds Bob when his first message arrives (through the relay).
			await a.getByRole('link', { name: 'Chats', exact: true }).click();
			await visible(a.getByTestId('chat-row').filter({ hasText: 'Bob' }), DELIVERY_TIMEOUT);

			const started = Date.now();
			await openNetwork(a);
			await openNetwork(b);
			await visible(a.getByTestId('direct-peer').filter({ hasText: 'Bob' }), DIRECT_TIMEOUT);
			await visible(b.getByTestId('direct-peer').filter({ hasText: 'Alice' }), DIRECT_TIMEOUT);
			figures.push(`contacts → direct peer on both screens: ${Date.now() - started} ms`);
			for (const page of [a, b]) {
				expect(await page.getByTestId('net-summary').getAttribute('data-kind')).toBe('decentralized');
				expect(await page.getByTestId('net-summary').innerText()).toContain('1 contact connected directly');
			}
			// A latency is measured by libp2p's ping over the direct connection.
			await visible(a.getByTestId('direct-peer').filter({ hasText: /\d+ ms/ }), DIRECT_TIMEOUT);
			await screenshot(a, 'network-direct-peer');

			const [pa, pb] = [await selectedPairs(a), await selectedPairs(b)];
			figures.push(`selected candidate pairs: Alice ${JSON.stringify(pa.pairs)}, Bob ${JSON.stringify(pb.pairs)}`);
			figures.push(`non-loopback candidates dropped: ${pa.dropped.length + pb.dropped.length}`);
			const locals = new Set([...pa.pairs, ...pb.pairs].map((p) => p.local));
			for (const { pairs } of [pa, pb]) {
				expect(pairs.length).toBeGreaterThanOrEqual(1);
				for (const pair of pairs) {
					expect(pair.local).toMatch(/^(127\.0\.0\.1|::1):\d+$/);
					expect(pair.protocol).toBe('udp');
					// A peer-reflexive remote shows only its port: it is the other side's loopback socket.
					if (pair.remoteType === 'prflx' && pair.remote.startsWith(':'))
						expect([...locals].some((l) => l.endsWith(pair.remote))).toBe(true);
					else expect(pair.remote).toMatch(/^(127\.0\.0\.1|::1):\d+$/);
				}
			}
		});

		it('a message reaches Bob over the direct path while Alice cannot upload to the relay', async () => {
			// Cut the relay path of Alice's envelopes: the encrypted payload never reaches the relay,
			// so no mailbox entry can point at it.
			let refused = 0;
			await a.route('**/api/v1/car**', (route) => {
				refused++;
				return route.abort();
			});
			const before = Number(await b.getByTestId('direct-counts').getAttribute('data-received'));
			await a.getByRole('link', { name: 'Chats', exact: true }).click();
			await (await visible(a.getByTestId('chat-row').filter({ hasText: 'Bob' }))).click();
			const started = Date.now();
			await send(a, 'Straight to you, Bob');
			await b.getByRole('link', { name: 'Chats', exact: true }).click();
			await (await visible(b.getByTestId('chat-row').filter({ hasText: 'Alice' }))).click();
			await visible(b.getByTestId('message').filter({ hasText: 'Straight to you, Bob' }), DELIVERY_TIMEOUT);
			figures.push(`direct message, send → shown on the other browser: ${Date.now() - started} ms`);
			// Bob's delivery receipt comes back directly too: Alice's message is delivered although
			// no relay ever stored it.
			await expect
				.poll(() => statusOf(a, 'Straight to you, Bob'), { timeout: DELIVERY_TIMEOUT })
				.toMatch(/delivered|read/);
			expect(refused).toBeGreaterThanOrEqual(1);
			await openNetwork(b);
			await expect
				.poll(async () => Number(await b.getByTestId('direct-counts').getAttribute('data-received')))
				.toBeGreaterThan(before);
			await openNetwork(a);
			expect(Number(await a.getByTestId('direct-counts').getAttribute('data-sent'))).toBeGreaterThanOrEqual(1);
			await screenshot(b, 'network-direct-received');
			expect(errors).toEqual([]);
		});
	});
