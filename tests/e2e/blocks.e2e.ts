/**
 * Blocks in the browser's IndexedDB (issue 4, "IPFS": a Helia node in the browser), in real
 * Chromium against real relay processes: relay A serves `build/` (run `npx vite build` first),
 * relay B is a second relay holding the same content.
 *
 * - A private share (encrypted and uploaded here with the app's own modules) is opened by Bob,
 *   who has no identity: the saved file is byte for byte the one shared, and its blocks came
 *   from the relays' Trustless Gateways through the Helia node.
 * - Every relay is stopped. Bob opens the same link in a new tab: the page comes from the
 *   service worker's cache, the blocks from IndexedDB, and the file is the same bytes, with no
 *   block request at all. A link to content never read says that no relay has it.
 * - Still offline, Bob creates an identity and opens Settings → Storage on this device: the file
 *   is listed in the cache, "Clear cached files" empties it, and the link then asks for every
 *   block again (served by Chromium's HTTP cache, which no page can clear).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShareKey, encryptShare, shareLink } from '../../src/lib/core/share-crypto.ts';
import { relayBlobStore } from '../../src/lib/net/blob-store-relay.ts';
import { withFileName } from '../../src/lib/state/share-files.ts';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { openProfile, screenshot, type Profile } from './browser.ts';
import { onboard } from './flows.ts';

const SIZE = 3 * 1024 * 1024 + 4321;

let relayA: RelayProcess;
let relayB: RelayProcess;
let bob: Profile;
const pageErrors: string[] = [];
const figures: string[] = [];
const stopped = new Set<RelayProcess>();

beforeAll(async () => {
	[relayA, relayB] = await Promise.all([startRelayProcess({ args: ['--web', 'build'] }), startRelayProcess()]);
	bob = await openProfile();
});

afterAll(async () => {
	await bob?.close();
	await Promise.all([relayA, relayB].map((r) => (r && !stopped.has(r) ? r.stop() : undefined)));
	for (const r of [relayA, relayB]) if (r) removeDataDir(r.dataDir);
	if (figures.length) console.log(`\nBlocks figures:\n  ${figures.join('\n  ')}`);
});

async function visible(locator: Locator, timeout = 15_000): Promise<Locator> {
	await locator.waitFor({ state: 'visible', timeout });
	return locator;
}

/** Open a link in a new tab of Bob's browser, save the file; the bytes and the block requests made. */
async function openAsBob(link: string, shot: string) {
	const p = await bob.context.newPage();
	const blockRequests: string[] = [];
	p.on('request', (r) => {
		if (r.url().includes('/ipfs/')) blockRequests.push(r.url());
	});
	p.on('pageerror', (e) => pageErrors.push(e.message));
	const started = Date.now();
	await p.goto(link);
	const save = await visible(p.getByRole('link', { name: 'Save the file' }), 60_000);
	const elapsed = Date.now() - started;
	await screenshot(p, shot);
	const [download] = await Promise.all([p.waitForEvent('download'), save.click()]);
	const bytes = new Uint8Array(readFileSync(await download.path()));
	return { page: p, bytes, name: download.suggestedFilename(), blockRequests, elapsed };
}

describe('blocks kept in IndexedDB', () => {
	const plain = new Uint8Array(randomBytes(SIZE));
	let link = '';
	let cid = '';
	let first: Page | undefined;

	it('Bob opens a private share: same bytes, blocks fetched from the relays and verified', async () => {
		const key = createShareKey();
		const sealed = encryptShare(plain, key);
		const report = await relayBlobStore([relayA.url, relayB.url]).upload(sealed);
		expect(report.relays.map((r) => r.ok)).toEqual([true, true]);
		cid = report.cid.toString();
		link = withFileName(shareLink(relayA.url, cid, key), 'field notes.pdf');

		const opened = await openAsBob(link, 'shared-file-helia');
		first = opened.page;
		figures.push(`open a ${(SIZE / 1024 / 1024).toFixed(2)} MiB private share through Helia: ${opened.elapsed} ms`);
		expect(opened.name).toBe('field notes.pdf');
		expect(Buffer.from(opened.bytes).equals(Buffer.from(plain))).toBe(true);
		expect(opened.blockRequests.length).toBeGreaterThanOrEqual(Math.ceil(sealed.length / (256 * 1024)));
		expect(opened.blockRequests.every((u) => u.includes('format=raw'))).toBe(true);
		// The page comes from the service worker's cache once every relay is down.
		await first.evaluate(async () => {
			await navigator.serviceWorker.ready;
		});
	});

	it('every relay stopped: the same link in a new tab gives the same bytes from IndexedDB', async () => {
		await first?.close();
		await Promise.all([relayA.stop(), relayB.stop()]);
		stopped.add(relayA).add(relayB);
		const health = await fetch(`${relayA.url}/health`).then(
			() => 'up',
			() => 'down'
		);
		expect(health).toBe('down');

		const again = await openAsBob(link, 'shared-file-offline');
		figures.push(`open it again with every relay down (IndexedDB): ${again.elapsed} ms`);
		expect(again.name).toBe('field notes.pdf');
		expect(Buffer.from(again.bytes).equals(Buffer.from(plain))).toBe(true);
		expect(again.blockRequests).toEqual([]);

		// Content this browser never read is not there, and the page says no relay has it.
		await again.page.goto(`${relayA.url}/c/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy`);
		await visible(again.page.getByRole('alert').filter({ hasText: 'None of the relays asked has this file' }), 60_000);
		await again.page.close();
		expect(pageErrors).toEqual([]);
	});

	it('Settings lists the cached file, and "Clear cached files" removes its blocks', async () => {
		const p = await bob.context.newPage();
		p.on('pageerror', (e) => pageErrors.push(e.message));
		await onboard(p, relayA.url, 'Bob');
		await p.getByRole('link', { name: 'Settings' }).first().click();
		await visible(p.getByRole('heading', { name: 'Storage on this device' }));
		const part = p.getByTestId('storage-settings');
		await visible(part.getByTestId('storage-cached').filter({ hasText: '(1 file)' }));
		await visible(part.getByTestId('storage-used'));
		expect(await part.getByLabel('Keep cached files up to').inputValue()).toBe('512');
		await part.scrollIntoViewIfNeeded();
		await screenshot(p, 'settings-storage');
		await part.getByRole('button', { name: 'Clear cached files' }).click();
		await visible(part.getByText('Cached files were removed from this device.'));
		await visible(part.getByTestId('storage-cached').filter({ hasText: '(0 files)' }));

		await p.close();

		// IndexedDB no longer has the blocks: the page asks for every block again. With every relay
		// down the answers come from Chromium's HTTP cache (the gateway's answers are immutable,
		// relay/ipfs/gateway.ts), which a page cannot clear; opened before, it made no request.
		const after = await openAsBob(link, 'shared-file-after-clear');
		expect(Buffer.from(after.bytes).equals(Buffer.from(plain))).toBe(true);
		expect(after.blockRequests.length).toBeGreaterThanOrEqual(Math.ceil(SIZE / (256 * 1024)));
		await after.page.close();
		expect(pageErrors).toEqual([]);
	});
});
