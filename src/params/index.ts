/**
 * The app's route param matchers (SvelteKit 3 reads them from `src/params` through `defineParams`).
 * Each rejects a malformed value before any load or component runs.
 */
import { defineParams } from '@sveltejs/kit/params';
import { matchCid } from './cid.ts';
import { matchId } from './id.ts';

export const params = defineParams({ cid: matchCid, id: matchId });
