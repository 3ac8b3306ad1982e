/**
 * Steps the browser tests share: waiting for an element, creating an identity, unlocking. Each
 * test file keeps the steps only it needs.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

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

/**
 * The receipt state of my latest message with this text in the open conversation.
 * @returns its `data-status` (pending, sent, stored, delivered, read, failed), or null when not shown
 */
export async function statusOf(page: Page, text: string): Promise<string | null> {
	const message = page.getByTestId('message').filter({ has: page.locator('.text', { hasText: text }) });
	if ((await message.count()) === 0) return null;
	return message.last().locator('[data-status]').getAttribute('data-status');
}

/**
 * Type a message in the open conversation and send it; resolves once it shows with a state.
 * @param page - a page with a conversation open
 * @param text - the message
 */
export async function send(page: Page, text: string): Promise<void> {
	await page.getByLabel('Message', { exact: true }).fill(text);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await expect.poll(() => statusOf(page, text), { timeout: 10_000 }).not.toBeNull();
}
