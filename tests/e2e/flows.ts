/**
 * Steps the browser tests share: waiting for an element, creating an identity, unlocking. Each
 * test file keeps the steps only it needs.
 */
import type { Locator, Page } from 'playwright-core';

/** The passphrase of the identities the browser tests create. */
export const PASSPHRASE = 'purple lantern orbit meadow';
/** Key derivation (scrypt N=2^17) on a loaded 2-core machine can take tens of seconds. */
export const KDF_TIMEOUT = 60_000;

/**
 * Wait until the element is visible.
 * @param locator - what to wait for
 * @param timeout - ms (default 20 s)
 * @returns the locator, to chain on
 */
export async function visible(locator: Locator, timeout = 20_000): Promise<Locator> {
	await locator.waitFor({ state: 'visible', timeout });
	return locator;
}

/**
 * Open the app and create an identity; resolves once the Chats screen shows.
 * @param page - a page of a fresh browser profile
 * @param url - the relay serving the app
 * @param name - the display name
 * @param passphrase - default {@link PASSPHRASE}
 */
export async function onboard(page: Page, url: string, name: string, passphrase = PASSPHRASE): Promise<void> {
	await page.goto(url);
	await page.getByLabel('Display name').fill(name);
	await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
	await page.getByLabel('Passphrase again').fill(passphrase);
	await page.getByRole('button', { name: 'Create my identity' }).click();
	await visible(page.getByRole('heading', { name: 'Chats' }), KDF_TIMEOUT);
}

/**
 * Fill the unlock form and submit it.
 * @param page - a page showing the unlock form
 * @param passphrase - default {@link PASSPHRASE}
 * @returns when the Unlock button was clicked (Date.now()), to time the unlock
 */
export async function unlock(page: Page, passphrase = PASSPHRASE): Promise<number> {
	await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
	const started = Date.now();
	await page.getByRole('button', { name: 'Unlock' }).click();
	return started;
}
