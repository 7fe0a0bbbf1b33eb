package dev.modelcompose.expr;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PrivateAddressesTest {
    private static boolean isPrivate(String literal) throws Exception {
        return PrivateAddresses.isPrivate(InetAddress.getByName(literal));
    }

    /** ::ffff:IPV4 built from raw bytes as an {@link Inet6Address}, which InetAddress.getByName would turn into IPv4. */
    private static boolean isPrivateMapped(String ipv4) throws Exception {
        byte[] b = new byte[16];
        b[10] = (byte) 0xFF;
        b[11] = (byte) 0xFF;
        System.arraycopy(InetAddress.getByName(ipv4).getAddress(), 0, b, 12, 4);
        return PrivateAddresses.isPrivate(Inet6Address.getByAddress(null, b, null));
    }

    @Test
    void ipv4() throws Exception {
        for (String a : new String[] {"127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "169.254.169.254", "0.0.0.0", "0.1.2.3", "100.64.0.1", "100.127.255.255", "224.0.0.1", "239.255.255.250",
                "255.255.255.255", "240.0.0.1", "198.18.0.1", "198.19.255.255", "192.0.0.8"})
            assertTrue(isPrivate(a), a);
        for (String a : new String[] {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.63.255.255", "100.128.0.1",
                "169.253.0.1", "11.0.0.1", "198.20.0.1", "93.184.216.34", "223.255.255.255"})
            assertFalse(isPrivate(a), a);
    }

    @Test
    void ipv6() throws Exception {
        for (String a : new String[] {"::1", "::", "fe80::1", "febf::1", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1", "ff0e::1",
                "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1", "64:ff9b::7f00:1"})
            assertTrue(isPrivate(a), a);
        for (String a : new String[] {"2001:4860:4860::8888", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "fe00::1",
                "fbff::1"})
            assertFalse(isPrivate(a), a);
    }

    @Test
    void ipv4MappedIpv6IsJudgedByItsIpv4AddressEvenAsRawBytes() throws Exception {
        assertTrue(isPrivateMapped("127.0.0.1"));
        assertTrue(isPrivateMapped("192.168.0.1"));
        assertTrue(isPrivateMapped("100.64.1.1"));
        assertFalse(isPrivateMapped("8.8.4.4"));
    }

    /** Teredo 2001:0::/32: server IPv4 in bits 32-63, the client's IPv4 XOR 0xFFFFFFFF in the last 32 bits. */
    private static String teredo(String server, String client) throws Exception {
        byte[] b = new byte[16];
        b[0] = 0x20;
        b[1] = 0x01;
        System.arraycopy(InetAddress.getByName(server).getAddress(), 0, b, 4, 4);
        byte[] c = InetAddress.getByName(client).getAddress();
        for (int i = 0; i < 4; i++) b[12 + i] = (byte) ~c[i];
        return InetAddress.getByAddress(b).getHostAddress();
    }

    @Test
    void ipv6RangesThatCarryAPrivateIpv4AddressArePrivate() throws Exception {
        // 6to4 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
        for (String a : new String[] {"2002:7f00:1::", "2002:7f00:0001:1234::1", "2002:a00:1::1", "2002:c0a8:101::", "2002:a9fe:a9fe::1",
                "2002:6440:1::"})
            assertTrue(isPrivate(a), a);
        assertFalse(isPrivate("2002:808:808::1"), "6to4 of 8.8.8.8");
        // Teredo: either the server or the client address
        assertTrue(isPrivate(teredo("8.8.8.8", "127.0.0.1")), "Teredo client 127.0.0.1");
        assertTrue(isPrivate(teredo("10.0.0.1", "8.8.4.4")), "Teredo server 10.0.0.1");
        assertTrue(isPrivate(teredo("8.8.8.8", "192.168.1.5")), "Teredo client 192.168.1.5");
        assertFalse(isPrivate(teredo("65.54.227.120", "8.8.4.4")), "Teredo between public addresses");
        // SIIT translated ::ffff:0:a.b.c.d, ISATAP interface ids, the local-use NAT64 prefix, documentation, discard-only
        for (String a : new String[] {"::ffff:0:7f00:1", "::ffff:0:a00:1", "fe80::5efe:7f00:1", "2001:470::5efe:c0a8:101",
                "2001:470::200:5efe:a00:1", "64:ff9b:1::808:808", "2001:db8::1", "100::1"})
            assertTrue(isPrivate(a), a);
        for (String a : new String[] {"::ffff:0:808:808", "2001:470::5efe:808:808", "2001:4860::1"})
            assertFalse(isPrivate(a), a);
    }
}
