package web

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrAddressNotAllowed means a did:web host resolved to an address that is
// not a public unicast address (loopback, private, link-local, unspecified,
// multicast, shared, documentation, benchmarking or reserved), and the
// Resolver was not made WithPrivateAddressesUnsafe.
var ErrAddressNotAllowed = errors.New("did/web: address not allowed")

// AddressError reports the address a connection was refused to.
type AddressError struct {
	Addr netip.Addr
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("did/web: refusing to connect to %s: not a public address (a did:web document is never fetched from loopback, private or link-local networks)", e.Addr)
}

// Unwrap makes errors.Is(err, ErrAddressNotAllowed) hold.
func (e *AddressError) Unwrap() error { return ErrAddressNotAllowed }

// nonPublic lists special-purpose blocks (IANA IPv4 and IPv6
// Special-Purpose Address Registries, RFC 6890) that are not caught by
// netip.Addr's IsGlobalUnicast and IsPrivate.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space, carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast (RFC 7526, deprecated)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // documentation TEST-NET-2 (RFC 5737)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation TEST-NET-3 (RFC 5737)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved (RFC 1112), broadcast included
	netip.MustParsePrefix("::/8"),            // reserved, IPv4-compatible, loopback, unspecified
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use IPv4/IPv6 translation (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only (RFC 6666)
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments: Teredo, ORCHID, benchmarking (RFC 2928)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation (RFC 3849)
	netip.MustParsePrefix("3fff::/20"),       // documentation (RFC 9637)
	netip.MustParsePrefix("5f00::/16"),       // segment routing SIDs (RFC 9602)
	netip.MustParsePrefix("fec0::/10"),       // site-local (RFC 3879, deprecated)
}

// nat64 and sixToFour embed an IPv4 address, which must be public too.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// publicAddr reports whether a did:web document may be fetched from a.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() {
		return false
	}
	b := a.As16()
	switch {
	case nat64.Contains(a): // inside ::/8, so first
		return publicAddr(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		return publicAddr(netip.AddrFrom4([4]byte(b[2:6])))
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
