import { strict as assert } from "node:assert";
import { FrameSplitter, networkVerdict } from "../../harness/network-observer";
import { describeFrame, dnsQuestion, summarizeDestinations } from "../../harness/packets";

// Frames as the kernel sent them on hearth0 and test/harness/packet-reader.pl captured them (Ethernet, no ARP).
const FRAMES = {
  tcpSyn:
    "82becdcf4cd482becdcf4cd408004500003c30a7400040060c11c0000202cb007101c28a01bb60ee5e0100000000a002faf0fe320000020405b40402080a22d9c70c000000000103030a",
  tcp6Syn:
    "82becdcf4cd482becdcf4cd486dd60093a2d0028064020010db848450000000000000000000220010db8000000000000000000000001bf1201bb8d31098c00000000a002fd20a3e80000020405a00402080a9448c1b5000000000103030a",
  dnsQuery:
    "82becdcf4cd482becdcf4cd408004500003997a8400040111ed4c0000202c0000235e1d600350025846e283d01000001000000000000076578616d706c6503636f6d0000010001",
  udp6:
    "82becdcf4cd482becdcf4cd486dd600a4aaa000a114020010db848450000000000000000000220010db8000000000000000000000005b01114e9000aa3d96869",
};
const frame = (hex: string) => Buffer.from(hex, "hex");

describe("Packets the network observer captured", () => {
  it("names a TCP connection attempt by address and port", () => {
    assert.deepEqual(describeFrame(frame(FRAMES.tcpSyn)), { protocol: "TCP", destination: "203.0.113.1:443" });
  });

  it("names an IPv6 connection attempt with the address in brackets, zeros compressed", () => {
    assert.deepEqual(describeFrame(frame(FRAMES.tcp6Syn)), { protocol: "TCP", destination: "[2001:db8::1]:443" });
  });

  it("names the question of a DNS lookup", () => {
    const packet = describeFrame(frame(FRAMES.dnsQuery));
    assert.equal(packet.protocol, "UDP");
    assert.equal(packet.destination, "192.0.2.53:53");
    assert.equal(packet.dnsQuestion, "A example.com");
  });

  it("keeps a UDP datagram's payload (the observer's checkpoints are recognised by it)", () => {
    const packet = describeFrame(frame(FRAMES.udp6));
    assert.equal(packet.destination, "[2001:db8::5]:5353");
    assert.equal(packet.udpPayload?.toString(), "hi");
  });

  it("describes a truncated frame instead of throwing", () => {
    assert.equal(describeFrame(frame(FRAMES.tcpSyn).subarray(0, 20)).protocol, "truncated IPv4");
    assert.equal(describeFrame(Buffer.alloc(5)).protocol, "truncated frame");
  });

  it("describes a frame that is not IP by its ethertype", () => {
    const other = Buffer.concat([Buffer.alloc(12, 0xff), Buffer.from([0x88, 0xcc]), Buffer.alloc(30)]);
    assert.deepEqual(describeFrame(other), { protocol: "ethertype 0x88cc", destination: "ff:ff:ff:ff:ff:ff" });
  });

  it("reads no question from a DNS message that is cut short or uses a compression pointer", () => {
    const message = frame(FRAMES.dnsQuery).subarray(42);
    assert.equal(dnsQuestion(message), "A example.com");
    assert.equal(dnsQuestion(message.subarray(0, 20)), undefined);
    const pointer = Buffer.from(message);
    pointer[12] = 0xc0;
    assert.equal(dnsQuestion(pointer), undefined);
  });

  it("sums packets up per destination, the most frequent first", () => {
    const packets = [FRAMES.dnsQuery, FRAMES.tcpSyn, FRAMES.tcpSyn, FRAMES.tcpSyn].map((hex) => describeFrame(frame(hex)));
    assert.deepEqual(summarizeDestinations(packets), ["TCP 203.0.113.1:443 (3 packets)", "UDP 192.0.2.53:53 DNS A example.com"]);
  });
});

describe("The network observer's frame stream and verdict", () => {
  it("splits the reader's length-prefixed stream into frames, whatever the chunking", () => {
    const stream = Buffer.concat(
      [FRAMES.tcpSyn, FRAMES.dnsQuery].map((hex) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(hex.length / 2);
        return Buffer.concat([length, frame(hex)]);
      }),
    );
    for (const cut of [1, 3, 50, stream.length - 1]) {
      const frames: string[] = [];
      const splitter = new FrameSplitter((f) => frames.push(f.toString("hex")));
      splitter.push(stream.subarray(0, cut));
      splitter.push(stream.subarray(cut));
      assert.deepEqual(frames, [FRAMES.tcpSyn, FRAMES.dnsQuery], `cut at ${cut}`);
    }
  });

  it("passes a layer that sent nothing off loopback as one test", () => {
    assert.deepEqual(networkVerdict("the vscode layer", []), { passed: 1, failed: 0, failures: [] });
  });

  it("fails a layer that sent packets as one test, naming every destination and the name it asked for", () => {
    const verdict = networkVerdict("the vscode layer", [describeFrame(frame(FRAMES.tcpSyn)), describeFrame(frame(FRAMES.dnsQuery))]);
    assert.equal(verdict.passed, 0);
    assert.equal(verdict.failed, 1);
    assert.match(verdict.failures[0]!, /2 packet\(s\) left loopback during the vscode layer/);
    assert.match(verdict.failures[0]!, /TCP 203\.0\.113\.1:443/);
    assert.match(verdict.failures[0]!, /UDP 192\.0\.2\.53:53 DNS A example\.com/);
  });
});
