/**
 * The libp2p configuration of the relay's Helia node. Helia's `libp2pDefaults()` (in
 * @helia/libp2p) starts many services that reach out to the internet on their own: the bootstrap
 * list (public dnsaddr peers, resolved over DNS-over-HTTPS), the Amino DHT, delegated routing to
 * https://delegated-ipfs.dev, AutoNAT, AutoTLS (libp2p.direct and Let's Encrypt), UPnP, circuit
 * relay (reservations on public relays), WebRTC (STUN) and DCUtR. A community relay wants none
 * of them: other IPFS nodes dial *in* over TCP or WebSockets and exchange blocks over bitswap.
 *
 * So this builds the whole configuration instead of merging into the defaults:
 * - transports: TCP and WebSockets, listening only on the given addresses;
 * - noise encryption, yamux multiplexing, identify (bitswap needs the peer's protocol list) and
 *   ping (libp2p's connection monitor pings every connection and closes those that do not answer);
 * - a circuit relay v2 server (https://github.com/libp2p/specs/blob/master/relay/circuit-v2.md) so
 *   browsers can reserve a slot and exchange their WebRTC offers through the relay; the relayed
 *   connections are capped in count, time and bytes (the `CIRCUIT_*` constants below), enough for
 *   signalling only — the messages then go browser to browser (docs/net.md §Direct peers);
 * - peer discovery: mDNS only when enabled, nothing else;
 * - no content or peer routers (no DHT, no delegated routing);
 * - a DNS resolver that refuses every query (no dnsaddr resolution, no DNS-over-HTTPS);
 * - a connection gater that refuses outbound dials to anything but loopback and private (LAN)
 *   addresses, so a peer cannot make the relay dial the internet ("no remote dial").
 */
import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { mdns } from '@libp2p/mdns';
import { noise } from '@libp2p/noise';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import type { CreateLibp2pOptions } from '@helia/libp2p';
import type { Identify } from '@libp2p/identify';
import type { Ping } from '@libp2p/ping';
import { dns, type DNS } from '@multiformats/dns';
import type { Multiaddr } from '@multiformats/multiaddr';
import { MAX_LIBP2P_CONNECTIONS } from './limits.ts';

/** Services the relay's libp2p node runs. */
export interface RelayLibp2pServices {
	[key: string]: unknown;
	identify: Identify;
	ping: Ping;
	circuitRelay: CircuitRelayService;
}

/** Browsers that may hold a relay slot at once (circuit v2 reservations). */
export const CIRCUIT_MAX_RESERVATIONS = 128;
/** The limits of the circuit relay server (tests lower them to see them enforced). */
export interface CircuitLimits {
	maxReservations: number;
	reservationTtlMs: number;
	durationLimitMs: number;
	dataLimitBytes: number;
}
/** How long a reservation lasts before the browser must renew it. */
export const CIRCUIT_RESERVATION_TTL_MS = 30 * 60_000;
/** A relayed connection is cut after this long: WebRTC signalling takes a few seconds. */
export const CIRCUIT_DURATION_LIMIT_MS = 2 * 60_000;
/**
 * …or after this many bytes each way: the noise handshake, identify, an SDP offer and answer and
 * the ICE candidates fit in a few KiB (go-libp2p's default, resources.go).
 */
export const CIRCUIT_DATA_LIMIT_BYTES = 128 * 1024;
/** Relay requests (reserve, connect) must finish within this time. */
export const CIRCUIT_HOP_TIMEOUT_MS = 15_000;
/** Simultaneous incoming relay requests. */
export const CIRCUIT_MAX_INBOUND_HOP_STREAMS = 64;
/** Simultaneous streams the relay opens to reserved browsers to hand them a relayed connection. */
export const CIRCUIT_MAX_OUTBOUND_STOP_STREAMS = 64;
/** The limits a relay runs with. */
export const DEFAULT_CIRCUIT_LIMITS: Readonly<CircuitLimits> = Object.freeze({
	maxReservations: CIRCUIT_MAX_RESERVATIONS,
	reservationTtlMs: CIRCUIT_RESERVATION_TTL_MS,
	durationLimitMs: CIRCUIT_DURATION_LIMIT_MS,
	dataLimitBytes: CIRCUIT_DATA_LIMIT_BYTES
});

/**
 * A DNS client that answers nothing: libp2p would otherwise resolve `/dnsaddr` and `/dns*`
 * addresses over DNS-over-HTTPS to public resolvers.
 * @returns a DNS implementation whose every query fails
 */
export function offlineDns(): DNS {
	return dns({
		resolvers: {
			'.': async (domain: string) => {
				throw new Error(`DNS is disabled on this relay (asked for ${domain.slice(0, 100)})`);
			}
		}
	});
}

/**
 * Whether an IPv4 or IPv6 address is loopback, private (RFC 1918, RFC 4193) or link-local.
 * @param family - 'ip4' or 'ip6'
 * @param address - the textual address
 * @returns true for addresses that stay on this host or LAN
 */
export function isLocalAddress(family: string, address: string): boolean {
	if (family === 'ip4') {
		const parts = address.split('.').map(Number);
		if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return false;
		const [a, b] = parts as [number, number, number, number];
		return (
			a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
		);
	}
	if (family === 'ip6') {
		const lower = address.toLowerCase();
		if (lower === '::1') return true;
		const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
		if (mapped) return isLocalAddress('ip4', mapped[1]!);
		return /^f[cd][0-9a-f]{2}:/.test(lower) || /^fe[89ab][0-9a-f]:/.test(lower);
	}
	return false;
}

/**
 * The gater's rule: dial only addresses whose first component is a loopback/LAN IP address.
 * @param ma - an address libp2p is about to dial
 * @returns true to refuse the dial
 */
export function denyDial(ma: Multiaddr): boolean {
	const first = ma.getComponents()[0];
	if (first === undefined || first.value === undefined) return true;
	return !isLocalAddress(first.name, first.value);
}

/**
 * Build the libp2p options for the relay's Helia node.
 * @param listen - listen multiaddrs (e.g. `/ip4/127.0.0.1/tcp/0/ws`)
 * @param enableMdns - discover relays on the LAN with multicast DNS
 * @param dnsClient - the DNS implementation (shared with Helia)
 * @param circuit - limits of the circuit relay server (default {@link DEFAULT_CIRCUIT_LIMITS})
 * @param announce - addresses announced besides the listen ones (relay config `--libp2p-announce`,
 *   checked there), e.g. `/dns4/relay.example/tcp/443/tls/ws` for a TLS proxy in front of the
 *   WebSocket listener. They go to `appendAnnounce`, not `announce`, so the listen addresses stay
 *   listed: a browser on an http page (or the LAN) keeps using `/ws`, one on an https page takes
 *   the secure one. Each shows in `getMultiaddrs()` (so in /health) with `/p2p/<relay-id>`, and in
 *   the reservations the relay grants, so browsers' circuit addresses go through it too.
 * @returns options for `withLibp2pLight`
 */
export function relayLibp2pOptions(
	listen: readonly string[],
	enableMdns: boolean,
	dnsClient: DNS,
	circuit: Readonly<CircuitLimits> = DEFAULT_CIRCUIT_LIMITS,
	announce: readonly string[] = []
): CreateLibp2pOptions<RelayLibp2pServices> {
	return {
		addresses: { listen: [...listen], appendAnnounce: [...announce] },
		transports: [tcp(), webSockets()],
		connectionEncrypters: [noise()],
		streamMuxers: [yamux()],
		peerDiscovery: enableMdns ? [mdns()] : [],
		services: {
			identify: identify(),
			ping: ping(),
			circuitRelay: circuitRelayServer({
				hopTimeout: CIRCUIT_HOP_TIMEOUT_MS,
				maxInboundHopStreams: CIRCUIT_MAX_INBOUND_HOP_STREAMS,
				maxOutboundStopStreams: CIRCUIT_MAX_OUTBOUND_STOP_STREAMS,
				reservations: {
					maxReservations: circuit.maxReservations,
					reservationTtl: circuit.reservationTtlMs,
					applyDefaultLimit: true,
					defaultDurationLimit: circuit.durationLimitMs,
					defaultDataLimit: BigInt(circuit.dataLimitBytes)
				}
			})
		},
		connectionGater: { denyDialMultiaddr: denyDial },
		connectionManager: { maxConnections: MAX_LIBP2P_CONNECTIONS },
		dns: dnsClient
	};
}
