import { defineConfig } from 'vitest/config';

// Browser end-to-end tests: real relay processes on loopback, Debian Chromium driven by
// playwright-core. One file at a time: two cores cannot run several browsers and relays well.
export default defineConfig({
	test: {
		include: ['tests/e2e/**/*.e2e.ts'],
		environment: 'node',
		fileParallelism: false,
		testTimeout: 120_000,
		hookTimeout: 120_000
	}
});
