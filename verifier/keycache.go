package verifier

import (
	"crypto"
	"strings"
	"sync"

	"github.com/staffpass/staffpass/internal/limits"
)

// keyCache holds the public keys of did:key and did:jwk verification
// methods that the Verifier's resolver has resolved, so that verifying many
// credentials of one issuer or holder resolves and decodes each key once.
// Both methods derive the DID document, and so the key, from the DID alone:
// a cached key can never go stale. Keys of other methods (did:web, whose
// documents change) are never cached. It is safe for concurrent use.
type keyCache struct {
	mu   sync.RWMutex
	keys map[keyCacheID]crypto.PublicKey
}

// keyCacheID is a verification method's DID URL and the verification
// relationship it was resolved for.
type keyCacheID struct{ method, purpose string }

// cacheable reports whether the key of method, a DID URL, is a pure
// function of its DID.
func cacheable(method string) bool {
	return strings.HasPrefix(method, "did:key:") || strings.HasPrefix(method, "did:jwk:")
}

func (c *keyCache) get(method, purpose string) (crypto.PublicKey, bool) {
	c.mu.RLock()
	k, ok := c.keys[keyCacheID{method, purpose}]
	c.mu.RUnlock()
	return k, ok
}

// put adds a key, first dropping an arbitrary entry when the cache holds
// limits.MaxCachedKeys.
func (c *keyCache) put(method, purpose string, k crypto.PublicKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = make(map[keyCacheID]crypto.PublicKey)
	}
	if len(c.keys) >= limits.MaxCachedKeys {
		for id := range c.keys {
			delete(c.keys, id)
			break
		}
	}
	c.keys[keyCacheID{method, purpose}] = k
}
