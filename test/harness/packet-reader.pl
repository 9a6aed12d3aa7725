#!/usr/bin/perl
# The network observer's capture: every frame this network namespace sends out of one interface, written to stdout as
# a 4-byte big-endian length and the frame. A raw AF_PACKET socket, in Perl because perl-base is on every Debian-like
# system and, unlike tcpdump, needs no privilege drop that fails in a user namespace (`unshare -r`: setgroups denied).
#   perl packet-reader.pl IFNAME     prints "ready IFNAME INDEX" on stderr once it is capturing
use strict;
use warnings;

my $ifname = shift or die "usage: packet-reader.pl IFNAME\n";
my ($AF_PACKET, $SOCK_RAW, $ETH_P_ALL, $SIOCGIFINDEX, $PACKET_OUTGOING) = (17, 3, 0x0003, 0x8933, 4);

socket(my $sock, $AF_PACKET, $SOCK_RAW, unpack("S", pack("n", $ETH_P_ALL))) or die "socket(AF_PACKET): $!\n";
my $ifreq = pack("a16 x16", $ifname);
ioctl($sock, $SIOCGIFINDEX, $ifreq) or die "no interface $ifname: $!\n";
my $ifindex = unpack("x16 i", $ifreq);
# struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]
bind($sock, pack("S n i S C C a8", $AF_PACKET, $ETH_P_ALL, $ifindex, 0, 0, 0, "")) or die "bind to $ifname: $!\n";
$| = 1;
print STDERR "ready $ifname $ifindex\n";

while (1) {
  my $from = recv($sock, my $frame, 65535, 0);
  die "recv: $!\n" unless defined $from;
  # Frames that arrived on other interfaces between socket() and bind(), and any received ones, are not ours to judge.
  my ($index, $pkttype) = unpack("x4 i x2 C", $from);
  next unless $index == $ifindex && $pkttype == $PACKET_OUTGOING;
  my $out = pack("N", length $frame) . $frame;
  while (length $out) {
    my $written = syswrite(STDOUT, $out);
    die "write: $!\n" unless defined $written;
    substr($out, 0, $written) = "";
  }
}
