// Package web implements the did:web method (W3C CCG "did:web Method
// Specification", https://w3c-ccg.github.io/did-method-web/): the mapping
// between a did:web DID and the HTTPS URL of its DID document, both ways
// (section "Read (Resolve)"), and a Resolver that fetches the document over
// HTTPS with the guards a verifier needs when the DID comes from untrusted
// input: a context and a timeout, a body size cap, few redirects and only to
// https, and no connections to loopback, private, link-local or other
// non-public addresses, checked on the address actually dialled.
//
// This is the only package of the module, on the verification side, that
// imports net/http. A verifier that must stay offline resolves did:web DIDs
// from a trust bundle with did.StaticResolver instead; DocumentURL still
// tells where each document is published.
package web

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/staffpass/staffpass/did"
)

// Method is the DID method name.
const Method = "web"

// New returns the did:web DID of a host (a DNS name, optionally with
// ":port") and optional path segments: New("example.com", "user", "alice")
// is did:web:example.com:user:alice. Characters of a segment that a DID
// cannot hold are percent-encoded.
func New(host string, path ...string) (did.DID, error) {
	name, port, err := splitHostPort(host)
	if err != nil {
		return did.DID{}, err
	}
	var b strings.Builder
	b.WriteString("did:web:")
	b.WriteString(name)
	if port != "" {
		b.WriteString("%3A" + port)
	}
	for _, seg := range path {
		if err := checkSegment(seg); err != nil {
			return did.DID{}, err
		}
		b.WriteByte(':')
		b.WriteString(encodeSegment(seg))
	}
	return did.Parse(b.String())
}

// DocumentURL returns the URL of a did:web DID's document: the
// method-specific id with ':' replaced by '/' and "%3A" in the host decoded
// to the port's ':', after "https://", followed by "/.well-known/did.json"
// when there is no path and "/did.json" otherwise.
//
//	did:web:example.com                   https://example.com/.well-known/did.json
//	did:web:example.com:user:alice        https://example.com/user/alice/did.json
//	did:web:example.com%3A3000:user:alice https://example.com:3000/user/alice/did.json
//
// It refuses a host that is an IP address (the specification forbids them)
// or not a DNS name, and path segments that are empty, "." or "..", or that
// percent-decode to '/', '\', '?', '#' or a control character.
func DocumentURL(id string) (string, error) {
	d, err := did.Parse(id)
	if err != nil {
		return "", err
	}
	if d.Method() != Method {
		return "", fmt.Errorf("%w: %q is not a did:web", did.ErrInvalidDID, d.Method())
	}
	parts := strings.Split(d.SpecificID(), ":")
	host := parts[0]
	if i := strings.IndexByte(host, '%'); i >= 0 {
		if !strings.EqualFold(host[i:min(i+3, len(host))], "%3A") {
			return "", fmt.Errorf("%w: did:web host %q: only %%3A (the port's ':') may be percent-encoded", did.ErrInvalidDID, host)
		}
		host = host[:i] + ":" + host[i+3:]
	}
	name, port, err := splitHostPort(host)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("https://")
	b.WriteString(name)
	if port != "" {
		b.WriteString(":" + port)
	}
	if len(parts) == 1 {
		b.WriteString("/.well-known/did.json")
		return b.String(), nil
	}
	for _, seg := range parts[1:] {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", fmt.Errorf("%w: did:web path segment %q: %w", did.ErrInvalidDID, seg, err)
		}
		if err := checkSegment(dec); err != nil {
			return "", err
		}
		b.WriteByte('/')
		b.WriteString(seg)
	}
	b.WriteString("/did.json")
	return b.String(), nil
}

// FromURL returns the did:web DID whose document is at u, the inverse of
// DocumentURL: https://example.com/.well-known/did.json is
// did:web:example.com, https://example.com:3000/user/alice/did.json is
// did:web:example.com%3A3000:user:alice. The URL must be https, with a DNS
// host, a path ending in /did.json, and no user, query or fragment.
func FromURL(u string) (did.DID, error) {
	p, err := url.Parse(u)
	if err != nil {
		return did.DID{}, fmt.Errorf("%w: %w", did.ErrInvalidDID, err)
	}
	if p.Scheme != "https" || p.Opaque != "" || p.User != nil || p.RawQuery != "" || p.ForceQuery || p.Fragment != "" || p.RawFragment != "" {
		return did.DID{}, fmt.Errorf("%w: %q: a did:web document URL is https://HOST[:PORT]/PATH/did.json with no user, query or fragment", did.ErrInvalidDID, u)
	}
	path := p.EscapedPath()
	var segs []string
	switch {
	case path == "/.well-known/did.json":
	case strings.HasPrefix(path, "/") && strings.HasSuffix(path, "/did.json") && len(path) > len("/did.json"):
		for _, seg := range strings.Split(path[1:len(path)-len("/did.json")], "/") {
			dec, err := url.PathUnescape(seg)
			if err != nil {
				return did.DID{}, fmt.Errorf("%w: %q: %w", did.ErrInvalidDID, u, err)
			}
			segs = append(segs, dec)
		}
	default:
		return did.DID{}, fmt.Errorf("%w: %q: the path must be /.well-known/did.json or end in /did.json", did.ErrInvalidDID, u)
	}
	return New(p.Host, segs...)
}

// splitHostPort checks "name" or "name:port" and returns the parts.
func splitHostPort(host string) (name, port string, err error) {
	name = host
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		name, port = host[:i], host[i+1:]
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
			return "", "", fmt.Errorf("%w: did:web port %q is not a number from 1 to 65535", did.ErrInvalidDID, port)
		}
	}
	if err := checkDNSName(name); err != nil {
		return "", "", err
	}
	return name, port, nil
}

// checkDNSName checks a host name by RFC 1123 section 2.1: dot-separated
// labels of letters, digits and hyphens, neither starting nor ending with
// a hyphen, at most 63 bytes each and 253 in all, and, so that no IP
// address form (such as 127.1 or 2130706433) slips through, a last label
// that is not all digits.
func checkDNSName(name string) error {
	if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		return fmt.Errorf("%w: did:web host %q is an IP address; the method requires a domain name", did.ErrInvalidDID, name)
	}
	if name == "" || len(name) > 253 {
		return fmt.Errorf("%w: did:web host %q is not a domain name", did.ErrInvalidDID, name)
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%w: did:web host %q is not a domain name", did.ErrInvalidDID, name)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%w: did:web host %q is not a domain name", did.ErrInvalidDID, name)
			}
		}
	}
	last := labels[len(labels)-1]
	if strings.Trim(last, "0123456789") == "" {
		return fmt.Errorf("%w: did:web host %q ends in a numeric label; it may be an IP address", did.ErrInvalidDID, name)
	}
	return nil
}

// checkSegment checks a decoded path segment.
func checkSegment(seg string) error {
	if seg == "" || seg == "." || seg == ".." {
		return fmt.Errorf("%w: did:web path segment %q is empty, \".\" or \"..\"", did.ErrInvalidDID, seg)
	}
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' {
			return fmt.Errorf("%w: did:web path segment %q holds a '/', '\\', '?', '#' or control character", did.ErrInvalidDID, seg)
		}
	}
	return nil
}

// encodeSegment percent-encodes the bytes of seg that are not DID idchars
// (ALPHA / DIGIT / "." / "-" / "_").
func encodeSegment(seg string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
