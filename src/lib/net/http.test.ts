import { describe, expect, it } from 'vitest';
import { MalformedError, TooLargeError } from '../core/errors.ts';
import { gunSocketUrl, normalizeRelayUrl, readCapped, readJson, relayUrlFromSocket } from './http.ts';

function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}): Response {
	let cancelled = false;
	const body = new ReadableStream<Uint8Array>({
		pull(controller) {
			const next = chunks.shift();
			if (next) controller.enqueue(next);
			else controller.close();
		},
		cancel() {
			cancelled = true;
		}
	});
	const response = new Response(body, { headers });
	Object.defineProperty(response, 'cancelled', { get: () => cancelled });
	return response;
}

describe('normalizeRelayUrl', () => {
	it('canonicalizes http(s) and ws(s) URLs', () => {
		expect(normalizeRelayUrl('https://relay.example.org/')).toBe('https://relay.example.org');
		expect(normalizeRelayUrl('wss://relay.example.org')).toBe('https://relay.example.org');
		expect(normalizeRelayUrl('ws://127.0.0.1:8765/')).toBe('http://127.0.0.1:8765');
		expect(normalizeRelayUrl(' http://HOST.example:80/miaou/?q=1#x ')).toBe('http://host.example/miaou');
	});

	it('refuses what is not a relay URL', () => {
		for (const bad of [
			'relay.example.org',
			'ftp://x',
			'javascript:alert(1)',
			'https://u:p@x.org',
			`https://${'a'.repeat(300)}.org`
		])
			expect(() => normalizeRelayUrl(bad)).toThrow(MalformedError);
	});

	it('maps a relay to its Gun socket and back', () => {
		expect(gunSocketUrl('https://r.example/m')).toBe('wss://r.example/m/gun');
		expect(relayUrlFromSocket('wss://r.example/m/gun')).toBe('https://r.example/m');
		expect(relayUrlFromSocket('client-1')).toBe('client-1');
	});
});

describe('readCapped', () => {
	it('reads a streamed body within the cap', async () => {
		const body = await readCapped(streamed([new Uint8Array([1, 2]), new Uint8Array([3])]), 3, 'Body');
		expect([...body]).toEqual([1, 2, 3]);
	});

	it('refuses a declared length over the cap before reading', async () => {
		const response = streamed([new Uint8Array(10)], { 'content-length': '10' });
		await expect(readCapped(response, 5, 'Body')).rejects.toBeInstanceOf(TooLargeError);
		expect((response as unknown as { cancelled: boolean }).cancelled).toBe(true);
	});

	it('stops reading as soon as an undeclared body passes the cap', async () => {
		let pulled = 0;
		const body = new ReadableStream<Uint8Array>({
			pull(c) {
				pulled++;
				c.enqueue(new Uint8Array(4));
			}
		});
		await expect(readCapped(new Response(body), 10, 'Body')).rejects.toBeInstanceOf(TooLargeError);
		expect(pulled).toBeLessThan(6);
	});

	it('parses JSON and refuses what is not', async () => {
		expect(await readJson(new Response('{"a":1}'), 100, 'Answer')).toEqual({ a: 1 });
		await expect(readJson(new Response('<html>'), 100, 'Answer')).rejects.toBeInstanceOf(MalformedError);
	});
});
