package dev.modelcompose.expr;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Tells addresses on the public internet from the ones a server must not be made to call for a client: loopback,
 * link-local, private (RFC 1918, unique-local), carrier-grade NAT, unspecified, multicast and reserved ranges. IPv6
 * addresses that carry an IPv4 one (mapped, compatible, NAT64) are judged by the IPv4 address.
 */
public final class PrivateAddresses {
    private PrivateAddresses() {}

    public static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress() || address.isAnyLocalAddress()
                || address.isMulticastAddress()) return true;
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) return isPrivateIpv4(b);
        if (address instanceof Inet6Address) {
            InetAddress embedded = embeddedIpv4(b);
            if (embedded != null) return isPrivate(embedded);
            return (b[0] & 0xFE) == 0xFC;  // fc00::/7 unique-local
        }
        return true;
    }

    private static boolean isPrivateIpv4(byte[] b) {
        int a0 = b[0] & 0xFF, a1 = b[1] & 0xFF, a2 = b[2] & 0xFF;
        return a0 == 0                                  // 0.0.0.0/8 "this network"
                || a0 == 100 && (a1 & 0xC0) == 64        // 100.64.0.0/10 carrier-grade NAT
                || a0 == 192 && a1 == 0 && a2 == 0       // 192.0.0.0/24 IETF protocol assignments
                || a0 == 198 && (a1 & 0xFE) == 18        // 198.18.0.0/15 benchmarking
                || a0 >= 240;                            // 240.0.0.0/4 reserved, and broadcast
    }

    /** The IPv4 address inside ::ffff:a.b.c.d, ::a.b.c.d or 64:ff9b::a.b.c.d, else null. */
    private static InetAddress embeddedIpv4(byte[] b) {
        boolean zeros80 = true;
        for (int i = 0; i < 10; i++) zeros80 &= b[i] == 0;
        boolean mapped = zeros80 && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
        boolean compatible = zeros80 && b[10] == 0 && b[11] == 0;
        boolean nat64 = (b[0] & 0xFF) == 0x00 && (b[1] & 0xFF) == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B;
        for (int i = 4; nat64 && i < 12; i++) nat64 = b[i] == 0;
        if (!mapped && !compatible && !nat64) return null;
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);  // four bytes are always an address
        }
    }
}
