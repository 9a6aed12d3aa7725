// Reads the Ethernet frames that the network observer captures on its interface, down to what a person needs to know
// about each one: the protocol, where it was going (address:port) and, for a DNS query, the name asked.
// Pure functions over bytes, so the unit tests can feed them real frames.

export interface OutboundPacket {
  /** "TCP", "UDP", "ICMP", "ICMPv6", "ARP", or "ethertype 0x…" / "IP protocol N" for anything else. */
  protocol: string;
  /** "203.0.113.1:443", "[2001:db8::1]:443", or a bare address where there is no port. */
  destination: string;
  /** For a DNS query (UDP or TCP to port 53): "A example.com". */
  dnsQuestion?: string;
  /** A UDP datagram's payload (the harness recognises its own checkpoint markers by it). */
  udpPayload?: Buffer;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const IPV6_EXTENSION_HEADERS = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;

/** What an Ethernet frame carried; a truncated or unknown frame is still described, never thrown on. */
export function describeFrame(frame: Buffer): OutboundPacket {
  if (frame.length < 14) return { protocol: "truncated frame", destination: `${frame.length} bytes` };
  let offset = 12;
  let ethertype = frame.readUInt16BE(offset);
  while (ethertype === ETHERTYPE_VLAN && frame.length >= offset + 6) {
    offset += 4;
    ethertype = frame.readUInt16BE(offset);
  }
  const payload = frame.subarray(offset + 2);
  if (ethertype === ETHERTYPE_IPV4) return describeIPv4(payload);
  if (ethertype === ETHERTYPE_IPV6) return describeIPv6(payload);
  if (ethertype === ETHERTYPE_ARP && payload.length >= 28) return { protocol: "ARP", destination: `who-has ${ipv4(payload.subarray(24, 28))}` };
  return { protocol: `ethertype 0x${ethertype.toString(16).padStart(4, "0")}`, destination: macAddress(frame.subarray(0, 6)) };
}

function describeIPv4(packet: Buffer): OutboundPacket {
  if (packet.length < 20) return { protocol: "truncated IPv4", destination: `${packet.length} bytes` };
  const headerLength = (packet[0]! & 0x0f) * 4;
  const protocol = packet[9]!;
  const destination = ipv4(packet.subarray(16, 20));
  const fragmentOffset = packet.readUInt16BE(6) & 0x1fff;
  const totalLength = Math.min(packet.readUInt16BE(2) || packet.length, packet.length);
  const body = fragmentOffset === 0 ? packet.subarray(headerLength, totalLength) : Buffer.alloc(0);
  return describeTransport(protocol, destination, body, false);
}

function describeIPv6(packet: Buffer): OutboundPacket {
  if (packet.length < 40) return { protocol: "truncated IPv6", destination: `${packet.length} bytes` };
  const destination = ipv6(packet.subarray(24, 40));
  let next = packet[6]!;
  let offset = 40;
  while (IPV6_EXTENSION_HEADERS.has(next) && packet.length >= offset + 8) {
    next = packet[offset]!;
    offset += (packet[offset + 1]! + 1) * 8;
  }
  if (next === IPV6_FRAGMENT && packet.length >= offset + 8) {
    const laterFragment = (packet.readUInt16BE(offset + 2) & 0xfff8) !== 0;
    next = packet[offset]!;
    offset += 8;
    if (laterFragment) return describeTransport(next, destination, Buffer.alloc(0), true);
  }
  return describeTransport(next, destination, packet.subarray(Math.min(offset, packet.length)), true);
}

function describeTransport(protocol: number, address: string, body: Buffer, v6: boolean): OutboundPacket {
  const host = v6 ? `[${address}]` : address;
  if ((protocol === 6 || protocol === 17) && body.length >= 4) {
    const port = body.readUInt16BE(2);
    const packet: OutboundPacket = { protocol: protocol === 6 ? "TCP" : "UDP", destination: `${host}:${port}` };
    if (protocol === 17) {
      packet.udpPayload = body.subarray(8);
      if (port === 53) addQuestion(packet, packet.udpPayload);
    } else if (port === 53 && body.length >= 20) {
      // DNS over TCP: a two-byte length before the message (only once a connection exists, which it never does here).
      const dataOffset = (body[12]! >> 4) * 4;
      addQuestion(packet, body.subarray(dataOffset + 2));
    }
    return packet;
  }
  if (protocol === 1 || protocol === 58) {
    const type = body.length > 0 ? ` type ${body[0]}` : "";
    return { protocol: protocol === 1 ? "ICMP" : "ICMPv6", destination: `${address}${type}` };
  }
  return { protocol: `IP protocol ${protocol}`, destination: address };
}

function addQuestion(packet: OutboundPacket, message: Buffer): void {
  const question = dnsQuestion(message);
  if (question) packet.dnsQuestion = question;
}

const DNS_TYPES: Record<number, string> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 64: "SVCB", 65: "HTTPS", 255: "ANY" };

/** "A example.com" for the first question of a DNS query message; undefined when it is not one. */
export function dnsQuestion(message: Buffer): string | undefined {
  if (message.length < 12 || message.readUInt16BE(4) === 0) return undefined;
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length > 63) return undefined; // truncated, or a compression pointer (not in a query)
    offset++;
    if (length === 0) break;
    if (offset + length > message.length) return undefined;
    labels.push(message.toString("latin1", offset, offset + length).replace(/[^\x21-\x7e]/g, "?"));
    offset += length;
  }
  if (offset + 2 > message.length) return undefined;
  const type = message.readUInt16BE(offset);
  return `${DNS_TYPES[type] ?? `TYPE${type}`} ${labels.join(".") || "."}`;
}

function ipv4(bytes: Buffer): string {
  return Array.from(bytes).join(".");
}

function ipv6(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function macAddress(bytes: Buffer): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(":");
}

/** One line per destination, most packets first: "TCP 203.0.113.1:443 (3 packets)", "UDP 192.0.2.53:53 DNS A example.com". */
export function summarizeDestinations(packets: readonly OutboundPacket[]): string[] {
  const counts = new Map<string, number>();
  for (const p of packets) {
    const key = `${p.protocol} ${p.destination}${p.dnsQuestion ? ` DNS ${p.dnsQuestion}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, n]) => (n > 1 ? `${key} (${n} packets)` : key));
}
