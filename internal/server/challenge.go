package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"sync"
	"time"
)

// Challenges are the server's presentation challenges (POST /challenges):
// fresh, single use and expiring. Each is self-authenticating, random bytes
// and its expiry under an HMAC with a key of this process, so the server
// knows its own challenges from a caller's even after forgetting them: one
// it issued is accepted once, before it expires; any other is the caller's
// own, whose freshness the caller answers for.
type challenges struct {
	key []byte
	ttl time.Duration
	max int

	mu   sync.Mutex
	live map[string]time.Time // issued, not yet used: expiry
}

var (
	errChallengeUsed     = errors.New("the challenge was issued by this server and has been used")
	errChallengeExpired  = errors.New("the challenge was issued by this server and has expired")
	errTooManyChallenges = errors.New("too many challenges are outstanding")
)

const (
	challengeRandom = 16
	challengeMAC    = 16
)

func newChallenges(ttl time.Duration, max int) *challenges {
	key := make([]byte, 32)
	rand.Read(key)
	return &challenges{key: key, ttl: ttl, max: max, live: make(map[string]time.Time)}
}

// issue returns a new challenge, valid until now + ttl.
func (c *challenges) issue(now time.Time) (string, time.Time, error) {
	expires := now.Add(c.ttl).Truncate(time.Second)
	msg := make([]byte, challengeRandom+8)
	rand.Read(msg[:challengeRandom])
	binary.BigEndian.PutUint64(msg[challengeRandom:], uint64(expires.Unix()))
	token := base64.RawURLEncoding.EncodeToString(append(msg, c.mac(msg)...))

	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.live) >= c.max {
		for t, exp := range c.live {
			if !now.Before(exp) {
				delete(c.live, t)
			}
		}
		if len(c.live) >= c.max {
			return "", time.Time{}, errTooManyChallenges
		}
	}
	c.live[token] = expires
	return token, expires, nil
}

func (c *challenges) mac(msg []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write(msg)
	return h.Sum(nil)[:challengeMAC]
}

// use spends challenge at now. ours reports whether this server issued it;
// err is set when it did and the challenge was used before or has expired.
func (c *challenges) use(challenge string, now time.Time) (ours bool, err error) {
	raw, decErr := base64.RawURLEncoding.DecodeString(challenge)
	if decErr != nil || len(raw) != challengeRandom+8+challengeMAC {
		return false, nil
	}
	msg, tag := raw[:challengeRandom+8], raw[challengeRandom+8:]
	if !hmac.Equal(tag, c.mac(msg)) {
		return false, nil
	}
	expires := time.Unix(int64(binary.BigEndian.Uint64(msg[challengeRandom:])), 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	_, live := c.live[challenge]
	delete(c.live, challenge)
	switch {
	case !now.Before(expires):
		return true, errChallengeExpired
	case !live:
		return true, errChallengeUsed
	}
	return true, nil
}
