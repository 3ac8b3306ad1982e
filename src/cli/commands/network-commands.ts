/**
 * The command line of everything that talks to relays (issue #4, CLI counterparts; docs/cli.md):
 * messages, profile and directory, trust, sharing, and the network commands.
 *
 * Only the commands' shape lives here. Each implementation is imported when its command runs,
 * as `relay` is (main.ts): Gun, Helia's UnixFS importer and the messaging services cost
 * hundreds of milliseconds to load, which `miaou id show` or `miaou --help` should not pay.
 */
import type { Command } from 'commander';
import { MAX_ABOUT_LENGTH, MAX_EVIDENCE_LENGTH } from '../../lib/core/records.ts';
import { MAX_SHARE_BYTES } from '../../lib/core/share-crypto.ts';
import { action, type CliIO } from '../context.ts';
import {
	DEFAULT_HISTORY_LIMIT,
	DEFAULT_PING_COUNT,
	DEFAULT_SEND_TIMEOUT_S,
	MAX_HISTORY_LIMIT,
	MAX_PING_COUNT,
	PROBE_TIMEOUT_MS
} from '../limits.ts';
import { withRelayOption, type RelayOptions } from '../relay-option.ts';
import type { HistoryOptions, RecvOptions, SendOptions } from './messages.ts';
import type { PingOptions } from './net.ts';
import type { PublishOptions } from './profile.ts';
import type { GetOptions, ShareOptions } from './share.ts';
import type { TrustGetOptions, TrustSetOptions } from './trust.ts';

/**
 * Mount `send`, `recv`, `history`, `profile`, `directory`, `trust`, `share`, `get`, `net`,
 * `ping` and `diagnostics`.
 * @param program - the root command
 * @param io - process surroundings
 */
export function registerNetworkCommands(program: Command, io: CliIO): void {
	const messages = () => import('./messages.ts');
	const profile = () => import('./profile.ts');
	const trust = () => import('./trust.ts');
	const share = () => import('./share.ts');
	const net = () => import('./net.ts');

	// ——— Messages ———
	withRelayOption(
		program
			.command('send')
			.summary('send an end-to-end encrypted message')
			.description(
				'Send an end-to-end encrypted message and wait until a relay stores it (exit 0). If none does within --timeout, it stays queued in the data directory and the next "miaou send" or "miaou recv" retries it (exit 1). A first message needs the recipient\'s published profile.'
			)
			.argument('<id>', "the recipient's Miaou id")
			.argument('<text>', 'the message (quote it)')
			.option('--timeout <seconds>', `how long to wait for a relay to store it (default ${DEFAULT_SEND_TIMEOUT_S})`)
	).action(action<SendOptions>(io, async ([id, text], opts, g) => (await messages()).send(io, g, id!, text!, opts)));

	withRelayOption(
		program
			.command('recv')
			.summary('fetch and print new messages')
			.description(
				'Fetch new messages from your relays, print them oldest first and mark them read (the senders get read receipts). With --wait, wait up to that many seconds for a message when there is none. Publishes your profile first if the relays do not have it and your identity has a name.'
			)
			.option('--wait <seconds>', 'wait this long for a message when there is none (default 0)')
	).action(action<RecvOptions>(io, async (_args, opts, g) => (await messages()).recv(io, g, opts)));

	program
		.command('history')
		.summary('your conversations, or the messages with one contact')
		.description(
			'Without an id: your conversations, latest first, with unread counts. With an id: the messages with that contact, oldest first, with the state of those you sent. Reads the local history only (no relay).'
		)
		.argument('[id]', "a contact's Miaou id")
		.option('--limit <n>', `at most this many (default ${DEFAULT_HISTORY_LIMIT}, at most ${MAX_HISTORY_LIMIT})`)
		.action(action<HistoryOptions>(io, async ([id], opts, g) => (await messages()).history(io, g, id, opts)));

	// ——— Profile and directory ———
	const profileCmd = program
		.command('profile')
		.description('Publish your profile (so people can find you and write to you) or show one.')
		.summary('your public profile: publish, show');
	withRelayOption(
		profileCmd
			.command('publish')
			.summary('publish your profile, so people can find you by name and write to you')
			.description(
				'Publish your profile to your relays: your name, your keys for first contact (prekeys, kept sealed in the data directory), the relays where you read your mail, and an entry in the name directory. "miaou recv" publishes it by itself the first time if your identity has a name.'
			)
			.option(
				'--name <display name>',
				'the name to publish (default: your identity name; it becomes your identity name)'
			)
			.option('--about <text>', `a few words about you (at most ${MAX_ABOUT_LENGTH} characters)`)
	).action(action<PublishOptions>(io, async (_args, opts, g) => (await profile()).profilePublish(io, g, opts)));
	withRelayOption(
		profileCmd
			.command('show')
			.summary('show the published profile of an id (default: yours)')
			.description("Show an id's published profile and directory entry, verified (no passphrase needed).")
			.argument('[id]', 'a Miaou id (default: yours)')
	).action(action<RelayOptions>(io, async ([id], opts, g) => (await profile()).profileShow(io, g, id, opts)));

	withRelayOption(
		program
			.command('directory')
			.summary('find people by name')
			.description(
				'Find published profiles by display name; case, spacing and Unicode form do not matter. Anyone can publish any name: each result shows its trust score from your point of view, highest first.'
			)
			.argument('<name>', 'the display name to look for')
	).action(action<RelayOptions>(io, async ([name], opts, g) => (await profile()).directory(io, g, name!, opts)));

	// ——— Trust ———
	const trustCmd = program
		.command('trust')
		.description('Say how much you trust an id, read trust statements, and score ids through the web of trust.')
		.summary('the web of trust: set, get, score');
	withRelayOption(
		trustCmd
			.command('set')
			.summary('sign and publish how much you trust an id')
			.description(
				'Sign a trust statement about an id and publish it to your relays; your contact list keeps the same level (-100 hides their messages). The level is an integer from -100 to 100 or a name: Blocked (-100), Suspicious (-50), Unknown (0), Acquaintance (25), Friend (50), Trusted (75), HighlyTrusted (100).'
			)
			.argument('<id>', 'the Miaou id the statement is about')
			.argument('<level>', 'an integer from -100 to 100, or a level name')
			.option('--evidence <text>', `why (public, at most ${MAX_EVIDENCE_LENGTH} characters)`)
	).action(
		action<TrustSetOptions>(io, async ([id, level], opts, g) => (await trust()).trustSet(io, g, id!, level!, opts))
	);
	withRelayOption(
		trustCmd
			.command('get')
			.summary('read the trust statement you made about an id')
			.description('Read the trust statement you (or --from another id) made about an id, verified.')
			.argument('<id>', 'the Miaou id the statement is about')
			.option('--from <issuer>', 'read the statement of this id instead of yours')
	).action(action<TrustGetOptions>(io, async ([id], opts, g) => (await trust()).trustGet(io, g, id!, opts)));
	withRelayOption(
		trustCmd
			.command('score')
			.summary("an id's trust score from your point of view, with the paths behind it")
			.description(
				'Score an id from your point of view: your own statement if you made one, otherwise the weighted paths of trust statements (up to 3 hops, each weighted 1/length²). Prints every path.'
			)
			.argument('<id>', 'the Miaou id to score')
	).action(action<RelayOptions>(io, async ([id], opts, g) => (await trust()).trustScore(io, g, id!, opts)));

	// ——— Sharing ———
	withRelayOption(
		program
			.command('share')
			.summary('upload a file and print its CID and link (private unless --public)')
			.description(
				`Upload a file to your relays (at most ${MAX_SHARE_BYTES / 1024 / 1024} MiB). By default it is encrypted first and the link carries the key after "#k=": only people with the link can read it. With --public it is stored as is, and its CID is the one any IPFS tool computes (CIDv1, raw leaves, 256 KiB chunks).`
			)
			.argument('<file>', 'the file to share')
			.option('--public', 'share unencrypted: anyone with the CID can read it')
	).action(action<ShareOptions>(io, async ([file], opts, g) => (await share()).share(io, g, file!, opts)));
	withRelayOption(
		program
			.command('get')
			.summary('download a shared file by link or CID, verified, into a file')
			.description(
				'Download a shared file: every block is checked against its CID, a private share is decrypted with the key in its link, and the file is written atomically (nothing is written on failure). The relay named in a link is used, plus --relay / MIAOU_RELAYS.'
			)
			.argument('<cid|link>', 'a share link (…/c/<cid>#k=…), a gateway URL, ipfs://<cid> or a bare CID')
			.option('-o, --output <file>', 'where to write the file (required)')
			.option('--force', 'overwrite the output file if it exists')
	).action(action<GetOptions>(io, async ([input], opts, g) => (await share()).get(io, g, input!, opts)));

	// ——— Network ———
	const netCmd = program
		.command('net')
		.description('Show the state of your relays: connection, latency, health.')
		.summary('the network: info');
	withRelayOption(
		netCmd
			.command('info')
			.summary('each relay: connected or not, latency, health')
			.description(
				'Connect to each relay (Gun WebSocket and /health) and show whether it is reachable, its round-trip time, and what it reports: uptime, clients, peered relays, IPFS. Exits 0 even when relays are down; the report says so.'
			)
	).action(action<RelayOptions>(io, async (_args, opts, g) => (await net()).netInfo(io, g, opts)));

	program
		.command('ping')
		.summary("time round trips to a relay's /health")
		.description("Time round trips to a relay's /health. Exits 1 with the reason when it never answers.")
		.argument('<relay>', 'the relay URL, e.g. https://relay.example.org')
		.option('-c, --count <n>', `round trips (1 to ${MAX_PING_COUNT}, default ${DEFAULT_PING_COUNT})`)
		.option('--timeout <seconds>', `time allowed per round trip (default ${PROBE_TIMEOUT_MS / 1000})`)
		.action(action<PingOptions>(io, async ([relay], opts, g) => (await net()).ping(io, g, relay!, opts)));

	withRelayOption(
		program
			.command('diagnostics')
			.summary('check this installation and its relays')
			.description(
				'Check Node.js, the Ed25519 fast path, the data directory, the identity, and each relay: HTTP health, Gun WebSocket, clock difference, and whether your profile is published. Prints ok / warn / fail per check; exits 0 whenever it could make the report ("ok": false in --json when a check failed).'
			)
	).action(action<RelayOptions>(io, async (_args, opts, g) => (await net()).diagnostics(io, g, opts)));
}
