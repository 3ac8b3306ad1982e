import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

// SvelteKit 3 reads its configuration from the Vite plugin; a root svelte.config.js is an error
// there (see docs/decisions.md). The web app is a client-only single-page app: no SSR, one
// fallback page that the relay serves for every unknown path.
export default defineConfig({
	plugins: [
		sveltekit({
			adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
			compilerOptions: { runes: true }
		})
	],
	test: {
		include: ['src/**/*.test.ts', 'relay/**/*.test.ts', 'tests/integration/**/*.test.ts'],
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 60_000
	}
});
