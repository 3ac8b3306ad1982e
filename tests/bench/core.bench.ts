/**
 * Core crypto figures, side by side in one run (`npm run bench:core`):
 * Ed25519 verify/s and sign/s through tweetnacl (the reference and baseline), WebCrypto and
 * node:crypto; seal + open of a 1 KiB message; Double Ratchet steps; proof-of-work time.
 * Each measurement runs for a bounded time and prints operations per second.
 */
import { randomBytes } from '../../src/lib/core/random.ts';
import {
	signingKeyPairFromSeed,
	signSync,
	tweetnaclEd25519,
	webcryptoEd25519,
	type Ed25519
} from '../../src/lib/core/ed25519.ts';
import { createNodeEd25519 } from '../../src/lib/node/ed25519-node.ts';
import { createLoopbackPair, sendLoopback } from '../../src/lib/core/session.ts';
import { solvePow } from '../../src/lib/core/pow.ts';
import { sha256 } from '@noble/hashes/sha2.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

/** Run `op` repeatedly for about `seconds` (at least `min` times); operations per second. */
async function rate(op: (i: number) => unknown, seconds = SECONDS, min = 5): Promise<number> {
	const start = performance.now();
	const deadline = start + seconds * 1000;
	let n = 0;
	while (n < min || performance.now() < deadline) {
		await op(n);
		n++;
	}
	return (n * 1000) / (performance.now() - start);
}

const fmt = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(1));
const rows: [string, string, string][] = [];
const row = (what: string, value: string, note = ''): void => {
	rows.push([what, value, note]);
	console.log(`${what.padEnd(44)} ${value.padStart(14)}  ${note}`);
};

console.log(`Miaou core benchmark — Node ${process.version}, ${SECONDS}s per measurement\n`);

// A relay verifies signatures from many authors: 256 distinct keys and messages, cycled.
const KEYS = 256;
const pairs = Array.from({ length: KEYS }, () => signingKeyPairFromSeed(randomBytes(32)));
const messages = pairs.map(() => randomBytes(200));
const signatures = pairs.map((kp, i) => signSync(messages[i]!, kp.secretKey));

const impls: Ed25519[] = [tweetnaclEd25519, webcryptoEd25519(), createNodeEd25519()];
const verifyRates = new Map<string, number>();
for (const impl of impls) {
	const r = await rate(async (i) => {
		const k = i % KEYS;
		if (!(await impl.verify(signatures[k]!, messages[k]!, pairs[k]!.publicKey))) throw new Error('verify failed');
	});
	verifyRates.set(impl.name, r);
	row(`Ed25519 verify/s (${impl.name})`, fmt(r));
}
const base = verifyRates.get('tweetnacl')!;
for (const impl of impls.slice(1))
	row(`  ratio ${impl.name} / tweetnacl`, `${(verifyRates.get(impl.name)! / base).toFixed(0)}×`, 'goal ≥ 50× on Node');

for (const impl of impls) {
	const r = await rate(async (i) => {
		const k = i % KEYS;
		await impl.sign(messages[k]!, pairs[k]!.secretKey);
	});
	row(`Ed25519 sign/s (${impl.name})`, fmt(r));
}

// One full message path: pad, ratchet-encrypt, seal to a one-time key, open, ratchet-decrypt.
{
	const { alice, bob } = await createLoopbackPair();
	const body = randomBytes(1024);
	const r = await rate(() => sendLoopback(alice, bob, body));
	row('seal + open of a 1 KiB message /s', fmt(r), 'alice → bob, same chain');
}

// DH ratchet steps: alternate directions so every message starts a new DH ratchet step.
{
	const { alice, bob } = await createLoopbackPair();
	const body = randomBytes(64);
	const r = await rate((i) => (i % 2 === 0 ? sendLoopback(bob, alice, body) : sendLoopback(alice, bob, body)));
	row('ratchet steps /s (alternating senders)', fmt(r), 'each a DH ratchet step + seal + open');
}

// Proof of work: mean time over several random challenges (the expected work is 2^bits hashes).
{
	const input = randomBytes(40);
	const hashRate = await rate((i) => {
		input[0] = i & 0xff;
		return sha256(input);
	}, 1);
	row('SHA-256 of 40 bytes /s (noble)', fmt(hashRate), 'the PoW inner loop');
	for (const [bits, tries] of [
		[12, 16],
		[16, 8],
		[20, 3]
	] as const) {
		let total = 0;
		for (let t = 0; t < tries; t++) {
			const start = performance.now();
			await solvePow(randomBytes(32), bits);
			total += performance.now() - start;
		}
		row(
			`proof of work, ${bits} bits`,
			`${fmt(total / tries)} ms`,
			`mean of ${tries}; expected ≈ ${fmt((2 ** bits / hashRate) * 1000)} ms`
		);
	}
}
