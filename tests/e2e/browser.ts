/**
 * Launches Debian's Chromium through playwright-core (a test tool's own browser download does not
 * work here), headless, with the flags that keep it off the network, and saves screenshots of the
 * screens the tests visit under tests/e2e/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = join(import.meta.dirname, 'screenshots');

/** The Chromium binary: MIAOU_CHROMIUM, else the Debian package's path. */
export function chromiumPath(): string {
	const candidates = [process.env.MIAOU_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
	const found = candidates.find((p): p is string => !!p && existsSync(p));
	if (!found) throw new Error('Chromium not found: install the Debian package chromium or set MIAOU_CHROMIUM.');
	return found;
}

/** A browser profile of its own (separate storage), like a separate person's browser. */
export interface Profile {
	context: BrowserContext;
	close(): Promise<void>;
}

/** Options of {@link openProfile}. */
export interface ProfileOptions {
	/** More Chromium switches (a fake camera, WebRTC on loopback), after the ones that keep it off the network. */
	args?: readonly string[];
	/** Browser permissions to grant (e.g. `['camera']`). */
	permissions?: readonly string[];
}

/** Start Chromium with a fresh, persistent profile directory. */
export async function openProfile(opts: ProfileOptions = {}): Promise<Profile> {
	const dir = mkdtempSync(join(tmpdir(), 'miaou-chromium-'));
	const context = await chromium.launchPersistentContext(dir, {
		executablePath: chromiumPath(),
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			...(opts.args ?? [])
		],
		...(opts.permissions ? { permissions: [...opts.permissions] } : {})
	});
	return {
		context,
		async close() {
			await context.close();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** Save a full-page screenshot named after the screen. */
export async function screenshot(page: Page, name: string): Promise<void> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
