package dev.modelcompose.expr;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells addresses on the public internet from the ones a server must not be made to call for a client: loopback,
 * link-local, private (RFC 1918, unique-local), carrier-grade NAT, unspecified, multicast and reserved ranges. IPv6
 * addresses that carry an IPv4 one are judged by the IPv4 address: mapped, compatible and translated (::ffff:0:a.b.c.d),
 * NAT64 (64:ff9b::/96), 6to4 (2002::/16) and ISATAP interface ids; Teredo (2001::/32) by its server and its
 * (obfuscated) client address. The local-use NAT64 prefix 64:ff9b:1::/48 and the documentation and discard-only
 * prefixes are private whatever they carry.
 */
public final class PrivateAddresses {
    private PrivateAddresses() {}

    public static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress() || address.isAnyLocalAddress()
                || address.isMulticastAddress()) return true;
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) return isPrivateIpv4(b);
        if (address instanceof Inet6Address) {
            if (isReservedIpv6(b)) return true;
            for (InetAddress embedded : embeddedIpv4(b)) if (isPrivate(embedded)) return true;
            return false;
        }
        return true;
    }

    /** fc00::/7 unique-local, 64:ff9b:1::/48 local-use NAT64, 2001:db8::/32 documentation, 100::/64 discard-only. */
    private static boolean isReservedIpv6(byte[] b) {
        if ((b[0] & 0xFE) == 0xFC) return true;
        if (u16(b, 0) == 0x0064 && u16(b, 2) == 0xFF9B && u16(b, 4) == 0x0001) return true;
        if (u16(b, 0) == 0x2001 && u16(b, 2) == 0x0DB8) return true;
        return u16(b, 0) == 0x0100 && u16(b, 2) == 0 && u16(b, 4) == 0 && u16(b, 6) == 0;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static boolean isPrivateIpv4(byte[] b) {
        int a0 = b[0] & 0xFF, a1 = b[1] & 0xFF, a2 = b[2] & 0xFF;
        return a0 == 0                                  // 0.0.0.0/8 "this network"
                || a0 == 100 && (a1 & 0xC0) == 64        // 100.64.0.0/10 carrier-grade NAT
                || a0 == 192 && a1 == 0 && a2 == 0       // 192.0.0.0/24 IETF protocol assignments
                || a0 == 198 && (a1 & 0xFE) == 18        // 198.18.0.0/15 benchmarking
                || a0 >= 240;                            // 240.0.0.0/4 reserved, and broadcast
    }

    /** The IPv4 addresses an IPv6 address carries (none for most). */
    private static List<InetAddress> embeddedIpv4(byte[] b) {
        List<InetAddress> out = new ArrayList<>();
        boolean zeros64 = true;
        for (int i = 0; i < 8; i++) zeros64 &= b[i] == 0;
        boolean zeros80 = zeros64 && b[8] == 0 && b[9] == 0;
        boolean mapped = zeros80 && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
        boolean compatible = zeros80 && b[10] == 0 && b[11] == 0;
        boolean translated = zeros64 && (b[8] & 0xFF) == 0xFF && (b[9] & 0xFF) == 0xFF && b[10] == 0 && b[11] == 0;  // ::ffff:0:a.b.c.d
        boolean nat64 = u16(b, 0) == 0x0064 && u16(b, 2) == 0xFF9B;
        for (int i = 4; nat64 && i < 12; i++) nat64 = b[i] == 0;
        boolean isatap = (u16(b, 8) & 0xFDFF) == 0 && u16(b, 10) == 0x5EFE;  // interface id 0000:5efe or 0200:5efe
        if (mapped || compatible || translated || nat64 || isatap) out.add(ipv4(b[12], b[13], b[14], b[15]));
        if (u16(b, 0) == 0x2002) out.add(ipv4(b[2], b[3], b[4], b[5]));  // 6to4
        if (u16(b, 0) == 0x2001 && u16(b, 2) == 0) {  // Teredo: server, then the client obfuscated by XOR
            out.add(ipv4(b[4], b[5], b[6], b[7]));
            out.add(ipv4((byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]));
        }
        return out;
    }

    private static InetAddress ipv4(byte a, byte b, byte c, byte d) {
        try {
            return InetAddress.getByAddress(new byte[] {a, b, c, d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);  // four bytes are always an address
        }
    }
}
