package verifier

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
)

func TestKeyCacheCachesOnlyDIDKeyAndDIDJWK(t *testing.T) {
	tests := []struct {
		method string
		want   bool
	}{
		{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", true},
		{"did:jwk:eyJrdHkiOiJPS1AifQ#0", true},
		{"did:web:kch.nhs.uk#key-1", false},
		{"did:example:key:z6Mk#1", false},
		{"DID:KEY:z6Mk#z6Mk", false},
		{"https://kch.nhs.uk/keys/1", false},
	}
	for _, tt := range tests {
		if got := cacheable(tt.method); got != tt.want {
			t.Errorf("cacheable(%q) = %v, want %v", tt.method, got, tt.want)
		}
	}
}

func TestKeyCacheStaysWithinItsBound(t *testing.T) {
	var c keyCache
	key := ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))
	for i := range limits.MaxCachedKeys + 10 {
		c.put(fmt.Sprintf("did:key:z%d#z%d", i, i), "assertionMethod", key)
	}
	if n := len(c.keys); n != limits.MaxCachedKeys {
		t.Errorf("the cache holds %d keys, want the bound %d", n, limits.MaxCachedKeys)
	}
	last := fmt.Sprintf("did:key:z%d#z%d", limits.MaxCachedKeys+9, limits.MaxCachedKeys+9)
	if _, ok := c.get(last, "assertionMethod"); !ok {
		t.Error("the key added last was dropped")
	}
}

func TestKeyCacheKeysByPurpose(t *testing.T) {
	var c keyCache
	key := ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))
	c.put("did:key:z1#z1", "assertionMethod", key)
	if _, ok := c.get("did:key:z1#z1", "authentication"); ok {
		t.Error("a key resolved for assertionMethod was found for authentication")
	}
}
