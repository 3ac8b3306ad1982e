/**
 * The web app's foundation in real Chromium against a real relay process serving `build/`:
 * onboarding (create, import), identity at rest (reload → unlock, wrong passphrase, lock, forget),
 * language switch, a hostile display name, param matchers, the phone layout, the offline shell,
 * and the size of the first page's JavaScript. Every screen visited is saved as a screenshot.
 *
 * The KDF is keystore's DEFAULT_KDF (scrypt N=2^17, r=8): no test-only shortcut. Its cost in
 * Chromium is measured and printed.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../helpers/relay-process.ts';
import { openProfile, screenshot, type Profile } from './browser.ts';

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const PASSPHRASE = 'purple lantern orbit meadow';
/** A CIDv1 (dag-pb, sha2-256) from the IPFS docs; the matcher only checks its form. */
const SAMPLE_CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
/** A valid Ed25519 did:key that is not the test's identity (did:key spec test vector). */
const OTHER_ID = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
/** Goal for the first page's JavaScript, gzip (issue 4, "Figures"). */
const INITIAL_JS_BUDGET = 250 * 1024;
/** Generous bound on one KDF run in the browser (DEFAULT_KDF; about 1–3 s measured). */
const KDF_TIMEOUT = 60_000;

let relay: RelayProcess;
const figures: string[] = [];

beforeAll(async () => {
	relay = await startRelayProcess({ args: ['--web', 'build'] });
});

afterAll(async () => {
	await relay?.stop();
	if (relay) removeDataDir(relay.dataDir);
	if (figures.length) console.log(`\nWeb app figures:\n  ${figures.join('\n  ')}`);
});

/** A page that records dialogs (none may open) and uncaught page errors (none may happen). */
async function watchedPage(profile: Profile) {
	const page = await profile.context.newPage();
	const dialogs: string[] = [];
	const errors: string[] = [];
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	page.on('pageerror', (error) => errors.push(error.message));
	return { page, dialogs, errors };
}

async function visible(locator: Locator, timeout = 15_000): Promise<Locator> {
	await locator.waitFor({ state: 'visible', timeout });
	return locator;
}

async function unlock(page: Page, passphrase: string): Promise<number> {
	await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
	const started = Date.now();
	await page.getByRole('button', { name: 'Unlock' }).click();
	return started;
}

async function shownId(page: Page): Promise<string> {
	await page.getByRole('link', { name: 'Settings' }).click();
	return (await visible(page.getByTestId('miaou-id'))).innerText();
}

describe('web app foundation', () => {
	let alice: Profile;
	let page: Page;
	let dialogs: string[];
	let errors: string[];
	let aliceId: string;
	let backupPath: string;

	beforeAll(async () => {
		alice = await openProfile();
		({ page, dialogs, errors } = await watchedPage(alice));
	});

	afterAll(async () => {
		await alice?.close();
	});

	it('loads a first page under the JavaScript budget, in the browser language', async () => {
		const scripts = new Set<string>();
		page.on('request', (request) => {
			if (request.resourceType() === 'script') scripts.add(request.url());
		});
		await page.goto(relay.url);
		await visible(page.getByRole('heading', { name: 'Welcome to Miaou' }));
		await page.waitForLoadState('networkidle');
		let gzip = 0;
		for (const url of scripts) gzip += gzipSync(Buffer.from(await (await fetch(url)).arrayBuffer())).length;
		figures.push(`initial JS of the first page: ${(gzip / 1024).toFixed(1)} kB gzip in ${scripts.size} files`);
		expect(scripts.size).toBeGreaterThan(0);
		expect(gzip).toBeLessThan(INITIAL_JS_BUDGET);
		// Chromium here runs in English; the app picked it from navigator.languages.
		expect(await page.evaluate(() => navigator.language)).toMatch(/^en/);
		expect(await page.getAttribute('html', 'lang')).toBe('en');
		await screenshot(page, 'onboarding-create');
	});

	it('refuses a short passphrase and two different ones, with a sentence for each', async () => {
		await page.getByLabel('Display name').fill('Alice');
		await page.getByLabel('Passphrase', { exact: true }).fill('short');
		await page.getByLabel('Passphrase again').fill('shorter');
		await page.getByRole('button', { name: 'Create my identity' }).click();
		await visible(page.getByText('Use at least 10 characters.'));
		await visible(page.getByText('The two passphrases are different.'));
		expect(await page.getByText('Strength: too short').count()).toBe(1);
		await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
		await visible(page.getByText('Strength: strong'));
		await screenshot(page, 'onboarding-create-errors');
		await page.getByLabel('Display name').fill('');
		await page.getByLabel('Passphrase', { exact: true }).fill('');
		await page.getByLabel('Passphrase again').fill('');
	});

	it('creates an identity (KDF off the main thread) and shows the shell with the fingerprint', async () => {
		// Record animation frames during the KDF: a long gap would mean the page froze.
		await page.evaluate(() => {
			const w = window as unknown as { frameGaps: number[] };
			w.frameGaps = [];
			let last = performance.now();
			const tick = (now: number) => {
				w.frameGaps.push(now - last);
				last = now;
				requestAnimationFrame(tick);
			};
			requestAnimationFrame(tick);
		});
		await page.getByLabel('Display name').fill(HOSTILE_NAME);
		await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
		await page.getByLabel('Passphrase again').fill(PASSPHRASE);
		const started = Date.now();
		await page.getByRole('button', { name: 'Create my identity' }).click();
		// The progress is shown while the KDF runs.
		await visible(page.getByRole('status').filter({ hasText: 'Making your keys and encrypting them…' }));
		await visible(page.getByRole('heading', { name: 'Chats' }), KDF_TIMEOUT);
		const createMs = Date.now() - started;
		const longestGap = await page.evaluate(() => Math.max(...(window as unknown as { frameGaps: number[] }).frameGaps));
		figures.push(`create identity (createIdentity + scrypt N=2^17 r=8 in a Worker): ${createMs} ms`);
		figures.push(`longest gap between animation frames during it: ${longestGap.toFixed(0)} ms`);
		expect(longestGap).toBeLessThan(500);

		const header = page.getByRole('banner');
		await visible(header.getByText(HOSTILE_NAME, { exact: true }));
		const fingerprint = await header.locator('.fp').innerText();
		expect(fingerprint).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
		await visible(page.getByRole('navigation', { name: 'Main' }));
		await screenshot(page, 'chats');

		aliceId = await shownId(page);
		expect(aliceId).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
		expect(await page.getByTestId('fingerprint').innerText()).toBe(fingerprint);
	});

	it('shows a display name with markup as text, and no script runs from it', async () => {
		await visible(page.getByRole('heading', { name: 'Settings' }));
		expect(await page.getByText(HOSTILE_NAME, { exact: true }).count()).toBeGreaterThanOrEqual(2);
		expect(await page.locator('img').count()).toBe(0);
		expect(await page.getByLabel('Display name').inputValue()).toBe(HOSTILE_NAME);
		expect(dialogs).toEqual([]);
	});

	it('visits every screen: the invite card, the id with a copy button', async () => {
		for (const [link, heading, shot] of [
			['Contacts', 'Contacts', 'contacts'],
			['Share', 'Share', 'share'],
			['Network', 'Network', 'network'],
			['Settings', 'Settings', 'settings']
		] as const) {
			await page.getByRole('link', { name: link }).click();
			await visible(page.getByRole('heading', { name: heading, level: 1 }));
			expect(await page.getByRole('link', { name: link }).getAttribute('aria-current')).toBe('page');
			await screenshot(page, shot);
		}
		await page.getByRole('link', { name: 'Contacts' }).click();
		await visible(page.getByTestId('invite-link'));
		expect(await page.getByTestId('miaou-id').innerText()).toBe(aliceId);
		await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
		await page.getByRole('button', { name: 'Copy id' }).click();
		await visible(page.getByText('Id copied.'));
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(aliceId);

		await page.getByRole('link', { name: 'Network' }).click();
		// What the browser says of itself: in the tests' loopback-only network namespace Chromium
		// sees no network interface and reports offline, though the relay on loopback works.
		const online = await page.evaluate(() => navigator.onLine);
		expect(await page.getByTestId('browser-online').innerText()).toBe(online ? 'Online' : 'Offline');
		await visible(page.getByText(relay.url));
	});

	it('reaches Directory and Trust from the main navigation, grouped under Contacts', async () => {
		const main = page.getByRole('navigation', { name: 'Main' });
		for (const [link, heading, shot] of [
			['Directory', 'Directory', 'nav-directory'],
			['Trust', 'Trust', 'nav-trust']
		] as const) {
			await main.getByRole('link', { name: link, exact: true }).click();
			await visible(page.getByRole('heading', { name: heading, level: 1 }));
			expect(await main.getByRole('link', { name: link, exact: true }).getAttribute('aria-current')).toBe('page');
			// Their section stays marked too, without a second aria-current in one nav.
			expect(await main.locator('a.within').innerText()).toBe('Contacts');
			await screenshot(page, shot);
		}
	});

	it('after a reload on the Trust page, unlocking comes back to that page', async () => {
		// The reload flake of share.e2e.ts: reloading right after clicking a link can reload the
		// page before it, because a client-side navigation changes the URL only once the next
		// page's code has loaded. Waiting for the URL first makes the test say what the app does.
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trust', exact: true }).click();
		await page.waitForURL(`${relay.url}/trust`);
		await page.reload();
		await visible(page.getByRole('heading', { name: 'Unlock Miaou' }));
		await unlock(page, PASSPHRASE);
		await visible(page.getByRole('heading', { name: 'Trust', level: 1 }), KDF_TIMEOUT);
		expect(new URL(page.url()).pathname).toBe('/trust');
	});

	it('after a reload asks for the passphrase; a wrong one is refused with a sentence; the right one unlocks the same id', async () => {
		await page.getByRole('link', { name: 'Settings' }).click();
		await visible(page.getByRole('heading', { name: 'Settings', level: 1 }));
		await page.reload();
		await visible(page.getByRole('heading', { name: 'Unlock Miaou' }));
		await visible(page.getByText(`Welcome back, ${HOSTILE_NAME}.`, { exact: false }));
		await screenshot(page, 'unlock');

		const wrongStarted = await unlock(page, 'not my passphrase at all');
		const alert = await visible(page.getByRole('alert').filter({ hasText: 'Wrong passphrase' }), KDF_TIMEOUT);
		figures.push(`refuse a wrong passphrase (scrypt N=2^17 in a Worker): ${Date.now() - wrongStarted} ms`);
		expect(await alert.innerText()).toBe('Wrong passphrase: the keys did not open. Nothing was changed; try again.');
		await screenshot(page, 'unlock-wrong-passphrase');

		const started = await unlock(page, PASSPHRASE);
		// The reload happened on Settings: unlocking leads back to the same page.
		await visible(page.getByRole('heading', { name: 'Settings', level: 1 }), KDF_TIMEOUT);
		figures.push(`unlock (scrypt N=2^17 in a Worker + key checks): ${Date.now() - started} ms`);
		expect(await shownId(page)).toBe(aliceId);
	});

	it('exports the encrypted backup from Settings', async () => {
		await page.getByRole('link', { name: 'Settings' }).click();
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: 'Download the encrypted backup' }).click()
		]);
		expect(download.suggestedFilename()).toMatch(/^miaou-backup-[a-z2-7-]+\.json$/);
		backupPath = await download.path();
		const backup = JSON.parse(readFileSync(backupPath, 'utf8')) as Record<string, unknown>;
		expect(backup).toMatchObject({ type: 'miaou-identity-backup', id: aliceId, kdf: { N: 2 ** 17 } });
		// Only the id is in clear; no field holds a raw key.
		expect(Object.keys(backup).sort()).toEqual(['ciphertext', 'id', 'kdf', 'nonce', 'salt', 'type', 'version']);
		await visible(page.getByText(`Saved as ${download.suggestedFilename()}.`));
	});

	it('switches to French, remembers it across a reload, and back to English', async () => {
		await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
		await visible(page.getByRole('heading', { name: 'Réglages', level: 1 }));
		await visible(page.getByRole('link', { name: 'Discussions' }));
		expect(await page.getAttribute('html', 'lang')).toBe('fr');
		await screenshot(page, 'settings-fr');

		await page.reload();
		await visible(page.getByRole('heading', { name: 'Déverrouiller Miaou' }));
		await screenshot(page, 'unlock-fr');
		await page.getByLabel('Phrase secrète', { exact: true }).fill('encore une mauvaise phrase');
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await visible(page.getByRole('alert').filter({ hasText: 'Phrase secrète incorrecte' }), KDF_TIMEOUT);
		await page.getByLabel('Phrase secrète', { exact: true }).fill(PASSPHRASE);
		await page.getByRole('button', { name: 'Déverrouiller' }).click();
		await visible(page.getByRole('heading', { name: 'Réglages', level: 1 }), KDF_TIMEOUT);
		await page.getByRole('link', { name: 'Discussions' }).click();
		await visible(page.getByRole('heading', { name: 'Discussions', level: 1 }));
		await screenshot(page, 'chats-fr');

		await page.getByRole('link', { name: 'Réglages' }).click();
		await page.getByRole('combobox', { name: 'Langue' }).selectOption('en');
		await visible(page.getByRole('heading', { name: 'Settings', level: 1 }));
		expect(await page.getAttribute('html', 'lang')).toBe('en');
	});

	it('locks: the keys are dropped and the unlock screen comes back', async () => {
		await page.getByRole('button', { name: 'Lock' }).click();
		await visible(page.getByRole('heading', { name: 'Unlock Miaou' }));
		expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
	});

	it('opens offline from the service worker cache', async () => {
		await page.evaluate(async () => {
			await navigator.serviceWorker.ready;
		});
		// Reload once so the page is controlled by the now active worker, then cut the network.
		await page.reload();
		await visible(page.getByRole('heading', { name: 'Unlock Miaou' }));
		expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
		await alice.context.setOffline(true);
		try {
			await page.reload();
			await visible(page.getByRole('heading', { name: 'Unlock Miaou' }));
			await visible(page.getByText('You are offline.', { exact: false }));
			await screenshot(page, 'offline-unlock');
			const started = await unlock(page, PASSPHRASE);
			await visible(page.getByRole('heading', { name: 'Settings', level: 1 }), KDF_TIMEOUT);
			figures.push(`unlock while offline: ${Date.now() - started} ms`);
		} finally {
			await alice.context.setOffline(false);
		}
	});

	it('renders the nav and screens on a 375-px phone screen without sideways scrolling', async () => {
		await page.setViewportSize({ width: 375, height: 740 });
		await page.getByRole('link', { name: 'Chats' }).click();
		const nav = await visible(page.getByRole('navigation', { name: 'Main' }));
		for (const name of ['Chats', 'Contacts', 'Share', 'Network', 'Settings']) {
			const box = await nav.getByRole('link', { name }).boundingBox();
			expect(box, name).not.toBeNull();
			expect(box!.x).toBeGreaterThanOrEqual(0);
			expect(box!.x + box!.width).toBeLessThanOrEqual(375);
			expect(box!.y + box!.height).toBeLessThanOrEqual(740);
		}
		await visible(page.getByRole('button', { name: 'Lock' }));
		// Directory and Trust do not fit as tabs of their own: on a phone they are the Contacts
		// section's tabs, above its pages.
		await nav.getByRole('link', { name: 'Contacts' }).click();
		const section = await visible(page.getByRole('navigation', { name: 'People' }));
		for (const name of ['Contacts', 'Directory', 'Trust']) {
			const box = await section.getByRole('link', { name, exact: true }).boundingBox();
			expect(box, name).not.toBeNull();
			expect(box!.x + box!.width).toBeLessThanOrEqual(375);
		}
		await section.getByRole('link', { name: 'Trust', exact: true }).click();
		await visible(page.getByRole('heading', { name: 'Trust', level: 1 }));
		expect(await nav.getByRole('link', { name: 'Contacts' }).getAttribute('class')).toContain('within');
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
		await screenshot(page, 'phone-trust');
		for (const [link, shot] of [
			['Chats', 'phone-chats'],
			['Contacts', 'phone-contacts'],
			['Settings', 'phone-settings']
		] as const) {
			await nav.getByRole('link', { name: link }).click();
			await visible(page.getByRole('heading', { name: link, level: 1 }));
			expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
			await screenshot(page, shot);
		}
		await page.setViewportSize({ width: 1280, height: 800 });
	});

	it('opens a contact page for a valid id with the safety number, and a 404 for a bad one', async () => {
		await page.goto(`${relay.url}/contacts/${OTHER_ID}`);
		await visible(page.getByRole('heading', { name: 'Unlock Miaou' }));
		await unlock(page, PASSPHRASE);
		await visible(page.getByRole('heading', { name: 'Miaou id', level: 1 }), KDF_TIMEOUT);
		expect(await page.getByTestId('miaou-id').innerText()).toBe(OTHER_ID);
		expect(await page.getByTestId('safety-number').innerText()).toMatch(/^\d{5}( \d{5}){11}$/);
		await screenshot(page, 'contact');

		await page.goto(`${relay.url}/contacts/did:key:zNotAKey`);
		await visible(page.getByRole('heading', { name: 'Page not found' }));
		await screenshot(page, 'not-found');
	});

	it('no dialog opened and no uncaught error happened in this profile', () => {
		expect(dialogs).toEqual([]);
		expect(errors).toEqual([]);
	});

	describe('a second browser', () => {
		let bob: Profile;

		afterAll(async () => {
			await bob?.close();
		});

		it('opens a share link without an identity; the cid matcher refuses a bad CID', async () => {
			bob = await openProfile();
			const { page: p, errors: bobErrors } = await watchedPage(bob);
			await p.goto(`${relay.url}/c/${SAMPLE_CID}`);
			await visible(p.getByRole('heading', { name: 'Shared file' }));
			expect(await p.getByTestId('cid').innerText()).toBe(SAMPLE_CID);
			await visible(p.getByText(/^Public share:/));
			await screenshot(p, 'shared-file');

			await p.goto(`${relay.url}/c/${SAMPLE_CID}#k=c2VjcmV0`);
			await visible(p.getByText(/^Private share:/));
			expect(await p.getByText('c2VjcmV0').count()).toBe(0);

			await p.goto(`${relay.url}/c/not-a-cid`);
			await visible(p.getByRole('heading', { name: 'Page not found' }));
			expect(bobErrors).toEqual([]);
			await p.close();
		});

		it('imports the backup file: a wrong passphrase is refused, the right one gives the same id', async () => {
			const { page: p, dialogs: bobDialogs } = await watchedPage(bob);
			await p.goto(relay.url);
			await p.getByRole('button', { name: 'Import a backup' }).click();
			await p.getByLabel('Backup file').setInputFiles(backupPath);
			const fingerprint = await visible(p.getByText('Backup of the identity with fingerprint', { exact: false }));
			expect(await fingerprint.innerText()).toMatch(/[a-z2-7]{4}(-[a-z2-7]{4}){3}\.$/);
			await p.getByLabel('Display name on this device').fill('Alice (laptop)');
			await p.getByLabel('Passphrase of the backup').fill('wrong passphrase here');
			await screenshot(p, 'onboarding-import');
			await p.getByRole('button', { name: 'Import', exact: true }).click();
			await visible(p.getByRole('alert').filter({ hasText: 'Wrong passphrase' }), KDF_TIMEOUT);

			await p.getByLabel('Passphrase of the backup').fill(PASSPHRASE);
			await p.getByRole('button', { name: 'Import', exact: true }).click();
			await visible(p.getByRole('heading', { name: 'Chats' }), KDF_TIMEOUT);
			expect(await shownId(p)).toBe(aliceId);
			expect(bobDialogs).toEqual([]);

			// Forget it again: back to onboarding, nothing left to unlock after a reload.
			await p.getByRole('button', { name: 'Remove this identity from this browser' }).click();
			await p.getByRole('button', { name: 'Yes, remove it' }).click();
			await visible(p.getByRole('heading', { name: 'Welcome to Miaou' }));
			await p.reload();
			await visible(p.getByRole('heading', { name: 'Welcome to Miaou' }));
		});

		it('refuses a damaged backup with a sentence before any KDF runs', async () => {
			const p = bob.context.pages().at(-1)!;
			await p.getByRole('button', { name: 'Import a backup' }).click();
			await p.getByLabel('Or paste the text of the backup').fill('{"type":"miaou-identity-backup","version":1');
			await p.getByLabel('Display name on this device').fill('Bob');
			await p.getByLabel('Passphrase of the backup').fill(PASSPHRASE);
			await p.getByRole('button', { name: 'Import', exact: true }).click();
			const alert = await visible(p.getByRole('alert').filter({ hasText: 'format' }));
			expect(await alert.innerText()).toBe(
				'This is not in the format Miaou expects: it may be damaged or not a Miaou file.'
			);
		});
	});
});
