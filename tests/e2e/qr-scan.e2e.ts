/**
 * Adding a contact by scanning a QR code, in real Chromium against a real relay process serving
 * `build/`, with Chromium's fake camera playing a Y4M video made here from the `qrcode` package's
 * module matrix. Bob onboards and shows his invite link; Alice's camera first shows a QR code of a
 * web site (the "not a Miaou invite" sentence, nothing added, the camera keeps looking), then
 * Bob's code (Bob is added; every camera track has ended). Bob's browser refuses him the camera
 * (the "refused" sentence); he then scans, from an image file, the
 * QR code Alice's Contacts screen shows, after a file that is not a picture and a picture of a web
 * site's code are refused with a sentence each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { openProfile, screenshot, type Profile } from './browser.ts';
import { onboard, visible } from './flows.ts';

/** Generous bound on a scan: camera start, a few frames at 5 a second, the profile fetch. */
const SCAN_TIMEOUT = 30_000;
const NOT_MIAOU = 'https://example.org/not-miaou';
/** The fake camera's picture size (4:3, even sides for 4:2:0). */
const WIDTH = 640;
const HEIGHT = 480;

let relay: RelayProcess;
let dir: string;
const figures: string[] = [];

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'miaou-qr-'));
	relay = await startRelayProcess({ args: ['--web', 'build'] });
});

afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	if (dir) rmSync(dir, { recursive: true, force: true });
	if (figures.length) console.log(`\nQR scan figures:\n  ${figures.join('\n  ')}`);
});

/**
 * A Y4M video (YUV4MPEG2, 4:2:0) of `frames` identical frames showing the QR code of `text`, black
 * modules on white, centred, 4 modules of quiet zone (ISO/IEC 18004:2015 §6.3.8).
 */
function qrVideo(text: string, frames = 10): Buffer {
	const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
	const quiet = 4;
	const side = modules.size + 2 * quiet;
	const scale = Math.floor((Math.min(WIDTH, HEIGHT) * 0.9) / side);
	const left = Math.floor((WIDTH - side * scale) / 2);
	const top = Math.floor((HEIGHT - side * scale) / 2);
	// Studio-range luma (ITU-R BT.601): 235 is white, 16 is black; chroma 128 is grey.
	const y = Buffer.alloc(WIDTH * HEIGHT, 235);
	for (let row = 0; row < modules.size; row++)
		for (let col = 0; col < modules.size; col++) {
			if (!modules.get(row, col)) continue;
			for (let dy = 0; dy < scale; dy++) {
				const start = (top + (row + quiet) * scale + dy) * WIDTH + left + (col + quiet) * scale;
				y.fill(16, start, start + scale);
			}
		}
	const uv = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
	const frame = Buffer.concat([Buffer.from('FRAME\n'), y, uv]);
	const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
	return Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]);
}

/** A page that records uncaught errors and every camera stream the app opens (to check they end). */
async function watchedPage(profile: Profile): Promise<{ page: Page; errors: string[] }> {
	const page = await profile.context.newPage();
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));
	await page.addInitScript(() => {
		const media = navigator.mediaDevices;
		if (!media) return;
		const streams: MediaStream[] = [];
		Object.assign(window, { __miaouStreams: streams });
		const original = media.getUserMedia.bind(media);
		media.getUserMedia = async (constraints) => {
			const stream = await original(constraints);
			streams.push(stream);
			return stream;
		};
	});
	return { page, errors };
}

/**
 * The decoder the scanner used. Chromium on Linux has no QR BarcodeDetector, so this is jsQR in
 * the worker; plain `jsqr` would mean the worker failed to start and decoding ran on the page.
 */
async function engineOf(page: Page): Promise<string | null> {
	const engine = await page.getByTestId('qr-scanner').getAttribute('data-engine');
	expect(['jsqr-worker', 'barcode-detector']).toContain(engine);
	return engine;
}

/** States of every camera track the page opened so far. */
async function trackStates(page: Page): Promise<string[]> {
	return page.evaluate(() =>
		((window as unknown as { __miaouStreams?: MediaStream[] }).__miaouStreams ?? []).flatMap((s) =>
			s.getTracks().map((t) => t.readyState)
		)
	);
}

async function inviteLink(page: Page): Promise<string> {
	await page.getByRole('link', { name: 'Contacts', exact: true }).click();
	return (await visible(page.getByTestId('invite-link'))).inputValue();
}

async function openAddContact(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Contacts', exact: true }).click();
	await page.getByRole('link', { name: 'Add a contact' }).click();
	await visible(page.getByRole('heading', { name: 'Scan a QR code' }));
	// The scanner waits for messaging, like the paste field.
	await expect
		.poll(() => page.getByRole('button', { name: 'Scan a QR code' }).isEnabled(), { timeout: 30_000 })
		.toBe(true);
}

describe('adding a contact by scanning a QR code', () => {
	let alice: Profile;
	let bob: Profile;
	let a: { page: Page; errors: string[] };
	let b: { page: Page; errors: string[] };
	let bobLink: string;
	let camera: string;

	beforeAll(async () => {
		camera = join(dir, 'camera.y4m');
		// Chromium reads the file each time a capture starts: what Alice's camera sees is rewritten per case.
		writeFileSync(camera, qrVideo(NOT_MIAOU));
		[alice, bob] = await Promise.all([
			openProfile({
				args: [
					'--use-fake-device-for-media-stream',
					'--use-fake-ui-for-media-stream',
					`--use-file-for-fake-video-capture=${camera}`
				],
				permissions: ['camera']
			}),
			// A camera exists but nobody grants it: the browser refuses, as when a person clicks "Block".
			openProfile({ args: ['--use-fake-device-for-media-stream'] })
		]);
		a = await watchedPage(alice);
		b = await watchedPage(bob);
	});

	afterAll(async () => {
		await Promise.all([alice?.close(), bob?.close()]);
	});

	it('onboards Bob and Alice; Bob shows his invite link', async () => {
		await onboard(b.page, relay.url, 'Bob');
		bobLink = await inviteLink(b.page);
		expect(bobLink).toMatch(/\/#\/invite\/did:key:z6Mk[^?]+\?n=Bob$/);
		await onboard(a.page, relay.url, 'Alice');
	});

	it('a QR code that is not Miaou’s gets a sentence, adds nothing, and the camera keeps looking', async () => {
		await openAddContact(a.page);
		await a.page.getByRole('button', { name: 'Scan a QR code' }).click();
		await visible(a.page.getByRole('button', { name: 'Stop the camera' }), SCAN_TIMEOUT);
		const notice = await visible(a.page.getByTestId('scan-notice'), SCAN_TIMEOUT);
		expect(await notice.innerText()).toBe(
			'This QR code is not a Miaou invite: scan the code shown on the Contacts screen of Miaou.'
		);
		expect(await trackStates(a.page)).toEqual(['live']);
		figures.push(`decoder in Chromium: ${await engineOf(a.page)}`);
		await screenshot(a.page, 'contacts-scan');
		await a.page.setViewportSize({ width: 390, height: 844 });
		await screenshot(a.page, 'contacts-scan-phone');
		await a.page.setViewportSize({ width: 1280, height: 720 });
		// Still on the screen, still scanning; Stop turns the camera off.
		expect(a.page.url()).toMatch(/\/contacts\/add$/);
		await a.page.getByRole('button', { name: 'Stop the camera' }).click();
		await expect.poll(() => trackStates(a.page)).toEqual(['ended']);
		expect(await a.page.locator('video').count()).toBe(0);
		await a.page.getByRole('link', { name: 'Contacts', exact: true }).click();
		await visible(a.page.getByText('Add someone by invite link or id, or find them in the directory.'));
		expect(await a.page.getByTestId('contact-row').count()).toBe(0);
	});

	it('Alice scans Bob’s code: Bob is added and the camera is off', async () => {
		writeFileSync(camera, qrVideo(bobLink));
		await openAddContact(a.page);
		const started = Date.now();
		await a.page.getByRole('button', { name: 'Scan a QR code' }).click();
		const name = await visible(a.page.getByTestId('contact-name'), SCAN_TIMEOUT);
		figures.push(`camera scan, click → contact added: ${Date.now() - started} ms`);
		expect(await name.innerText()).toBe('Bob');
		await visible(a.page.getByTestId('safety-number'));
		expect(await trackStates(a.page)).toEqual(['ended', 'ended']);
		await a.page.getByRole('link', { name: 'Contacts', exact: true }).click();
		await expect
			.poll(() => a.page.getByTestId('contact-row').allInnerTexts())
			.toEqual([expect.stringContaining('Bob')]);
		expect(a.errors).toEqual([]);
	});

	it('Bob is refused the camera; he scans Alice’s code from an image file after two wrong files', async () => {
		// The very picture Alice's Contacts screen shows (InviteCard), as if Bob saved a screenshot of it.
		const aliceLink = await inviteLink(a.page);
		await a.page.getByRole('button', { name: 'Show QR code' }).click();
		const shown = await visible(a.page.getByRole('img', { name: 'QR code of your invite link' }));
		const dataUrl = (await shown.getAttribute('src')) ?? '';
		expect(dataUrl).toMatch(/^data:image\/png;base64,/);
		await openAddContact(b.page);
		await b.page.getByRole('button', { name: 'Scan a QR code' }).click();
		await visible(
			b.page
				.getByRole('alert')
				.getByText(
					'Camera access was refused. Allow the camera for this site in the browser settings, or scan from an image file.'
				),
			SCAN_TIMEOUT
		);
		expect(await b.page.locator('video').count()).toBe(0);
		await screenshot(b.page, 'contacts-scan-denied');
		const input = b.page.getByLabel('Scan from an image file');
		await input.setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
		await visible(
			b.page.getByText('This file is not a picture this browser can open: choose a PNG, JPEG or WebP image.')
		);
		const png = await QRCode.toBuffer(NOT_MIAOU, { type: 'png', margin: 4, width: 300 });
		await input.setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: png });
		await visible(b.page.getByRole('alert').getByText('This QR code is not a Miaou invite', { exact: false }));
		expect(b.page.url()).toMatch(/\/contacts\/add$/);
		await engineOf(b.page);
		const started = Date.now();
		await input.setInputFiles({
			name: 'alice.png',
			mimeType: 'image/png',
			buffer: Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64')
		});
		const name = await visible(b.page.getByTestId('contact-name'), SCAN_TIMEOUT);
		figures.push(`image file scan → contact added: ${Date.now() - started} ms`);
		expect(await name.innerText()).toBe('Alice');
		const aliceId = /did:key:[^?]+/.exec(aliceLink)?.[0];
		expect(aliceId).toBeDefined();
		expect(decodeURIComponent(b.page.url())).toContain(`/contacts/${aliceId}`);
		// The refused camera gave no stream, and the file path never asked for one.
		expect(await trackStates(b.page)).toEqual([]);
		expect(b.errors).toEqual([]);
	});
});
