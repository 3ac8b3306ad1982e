/**
 * `miaou share <file> [--public]` and `miaou get <cid|link> -o <file>`: content sharing by CID
 * (ARCHITECTURE.md §Content sharing by CID; docs/cli.md "Sharing files").
 *
 * - A public share is the file itself as UnixFS (CIDv1, raw leaves, 256 KiB chunks), so its CID
 *   is the one any IPFS tool computes and any IPFS gateway can serve it.
 * - A private share is the file encrypted under a fresh key (src/lib/core/share-crypto.ts); the
 *   key travels only in the link's fragment, `<relay>/c/<cid>#k=<key>&n=<file name>` (the name
 *   as the web app puts it there, src/lib/state/share-files.ts; readers of the key ignore it).
 * - `get` verifies every block against its CID, decrypts a private share, and writes the file
 *   atomically: on any failure no output file appears.
 */
import { FileExistsError, MalformedError, UsageError } from '../../lib/core/errors.ts';
import {
	createShareKey,
	decryptShare,
	encryptShare,
	MAX_ENCRYPTED_SHARE_BYTES,
	MAX_SHARE_BYTES,
	parseShareLink,
	shareLink,
	type ShareLink
} from '../../lib/core/share-crypto.ts';
import { basename } from 'node:path';
import { relayBlobStore } from '../../lib/net/blob-store.ts';
import { normalizeRelayUrl } from '../../lib/net/http.ts';
import { withFileName } from '../../lib/state/share-files.ts';
import type { CliIO, Globals } from '../context.ts';
import { exists, PUBLIC_FILE_MODE, readFileLimited, SECRET_FILE_MODE, writeFileAtomic } from '../home.ts';
import { noRelayGiven, relayUrls, requireRelays, type RelayOptions } from '../network.ts';
import { formatFields, type CommandResult, type JsonValue } from '../output.ts';

/** `share` options. */
export interface ShareOptions extends RelayOptions {
	public?: boolean;
}

/**
 * `miaou share <file>`: upload a file to the relays, encrypted unless `--public`.
 * @param io - process surroundings (MIAOU_RELAYS)
 * @param _g - global options
 * @param path - the file
 * @param opts - `--public`, `--relay`
 * @returns the CID, the link (with the key for a private share) and what each relay answered
 * @throws {UsageError | NoSuchFileError | FileAccessError} on bad input (exit 2)
 * @throws {TooLargeError} over MAX_SHARE_BYTES (exit 1)
 * @throws {RelayRefusedError | NoRelayError} when no relay took it (exit 1)
 */
export async function share(io: CliIO, _g: Globals, path: string, opts: ShareOptions): Promise<CommandResult> {
	const relays = requireRelays(opts.relay, io.env);
	const bytes = await readFileLimited(path, MAX_SHARE_BYTES, `The file ${path}`);
	const isPublic = opts.public === true;
	const key = isPublic ? undefined : createShareKey();
	const payload = key === undefined ? bytes : encryptShare(bytes, key);
	const report = await relayBlobStore(relays).upload(payload);
	const cid = report.cid.toString();
	const accepted = report.relays.filter((r) => r.ok).map((r) => r.url);
	// The file's name rides in the fragment too, as the web app writes it (state/share-files.ts).
	const link = withFileName(shareLink(accepted[0]!, cid, key), basename(path));
	key?.fill(0);
	const json: Record<string, JsonValue> = {
		cid,
		public: isPublic,
		link,
		size: bytes.length,
		uploaded: payload.length,
		relays: report.relays.map((r): Record<string, JsonValue> =>
			r.ok ? { url: r.url, ok: true } : { url: r.url, ok: false, error: r.error.message }
		)
	};
	if (isPublic) json.gateway = `${accepted[0]!}/ipfs/${cid}`;
	const failed = report.relays.filter((r) => !r.ok);
	return {
		json,
		human: formatFields([
			['cid', cid],
			['link', link],
			['gateway', isPublic ? `${accepted[0]!}/ipfs/${cid}` : undefined],
			['kind', isPublic ? 'public (anyone with the CID can read it)' : 'private (the key is in the link only)'],
			['stored on', accepted.join(', ')],
			['failed on', failed.length > 0 ? failed.map((r) => `${r.url} (${r.error.message})`).join('; ') : undefined]
		])
	};
}

/** `get` options. */
export interface GetOptions extends RelayOptions {
	output?: string;
	force?: boolean;
}

/**
 * `miaou get <cid|link> -o <file>`: download a share, verify every block, decrypt a private one,
 * and write it atomically.
 * @param io - process surroundings (MIAOU_RELAYS)
 * @param _g - global options
 * @param input - a share link, a gateway URL, `ipfs://<cid>` or a bare CID
 * @param opts - `-o <file>` (required), `--force`, `--relay`
 * @returns the CID, the file written and its size
 * @throws {UsageError | MalformedError} on a bad link or no relay (exit 2 / 1)
 * @throws {FileExistsError} when the output exists and `--force` is not given (exit 1)
 * @throws {ContentNotFoundError | HashMismatchError | DecryptError | NoRelayError} (exit 1)
 */
export async function get(io: CliIO, _g: Globals, input: string, opts: GetOptions): Promise<CommandResult> {
	if (opts.output === undefined || opts.output === '') throw new UsageError('Say where to write the file: -o <file>.');
	let link: ShareLink;
	try {
		link = parseShareLink(input);
	} catch (err) {
		// A mistyped argument: the command could not run as asked (exit 2), the reason kept.
		if (err instanceof MalformedError) throw new UsageError(err.message);
		throw err;
	}
	const configured = relayUrls(opts.relay, io.env);
	const relays = [...new Set([...(link.relay !== undefined ? [normalizeRelayUrl(link.relay)] : []), ...configured])];
	if (relays.length === 0) throw noRelayGiven();
	if (!opts.force && (await exists(opts.output))) throw new FileExistsError(opts.output);
	const store = relayBlobStore(relays, link.key === undefined ? {} : { maxBytes: MAX_ENCRYPTED_SHARE_BYTES });
	const report = await store.download(link.cid);
	let bytes = report.bytes;
	if (link.key !== undefined) {
		try {
			bytes = decryptShare(report.bytes, link.key);
		} finally {
			link.key.fill(0);
		}
	}
	await writeFileAtomic(opts.output, bytes, link.key === undefined ? PUBLIC_FILE_MODE : SECRET_FILE_MODE);
	const from = Object.keys(report.served);
	return {
		json: { cid: link.cid, file: opts.output, size: bytes.length, private: link.key !== undefined, relays: from },
		human: formatFields([
			['cid', link.cid],
			['file', opts.output],
			['size', `${bytes.length} bytes`],
			['kind', link.key !== undefined ? 'private (decrypted)' : 'public'],
			['from', from.join(', ')]
		])
	};
}
