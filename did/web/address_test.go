package web

import (
	"net/netip"
	"testing"
)

func TestPublicAddrRefusesNonPublicAddresses(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true},
		{"151.101.1.1", true},
		{"2a00:1450:4009:81f::200e", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", true},  // 6to4 of 8.8.8.8
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"100.64.0.1", false},
		{"192.0.0.8", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"198.51.100.1", false},
		{"203.0.113.1", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::127.0.0.1", false},
		{"64:ff9b::7f00:1", false},  // NAT64 of 127.0.0.1
		{"64:ff9b::a00:1", false},   // NAT64 of 10.0.0.1
		{"64:ff9b:1::1", false},     // local-use NAT64
		{"2002:7f00:1::1", false},   // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", false}, // 6to4 of 192.168.1.1
		{"2001:db8::1", false},      // documentation
		{"2001::1", false},          // Teredo
		{"100::1", false},           // discard
		{"fec0::1", false},          // site-local
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		if got := publicAddr(a); got != tt.public {
			t.Errorf("publicAddr(%s) = %v, want %v", tt.addr, got, tt.public)
		}
	}
}
