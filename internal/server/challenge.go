package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"
)

// Challenges are the server's presentation challenges (POST /challenges):
// fresh, single use and expiring. A challenge is "spc1." and the base64url
// of 16 random bytes, its expiry and an HMAC of both under a key of this
// process, so issuing one stores nothing: only spent challenges are kept,
// until they expire. A challenge that starts with "spc1." but whose HMAC
// does not check (another instance's, or one issued before a restart) is
// refused, never taken for the caller's own; any other challenge is the
// caller's own, whose freshness the caller answers for.
type challenges struct {
	key      []byte
	ttl      time.Duration
	maxSpent int

	mu    sync.Mutex
	spent map[string]time.Time
	queue []spentChallenge // in order of expiry (every challenge lives ttl)
}

type spentChallenge struct {
	token   string
	expires time.Time
}

const challengePrefix = "spc1."

var (
	errChallengeUsed     = errors.New("the challenge was issued by this server and has been used")
	errChallengeExpired  = errors.New("the challenge was issued by this server and has expired")
	errChallengeNotOurs  = errors.New("the challenge looks like one of this server's but it did not issue it (another instance's, or one issued before a restart)")
	errTooManyChallenges = errors.New("too many challenges were spent recently")
)

const (
	challengeRandom = 16
	challengeMAC    = 16
)

func newChallenges(ttl time.Duration, maxSpent int) *challenges {
	key := make([]byte, 32)
	rand.Read(key)
	return &challenges{key: key, ttl: ttl, maxSpent: maxSpent, spent: make(map[string]time.Time)}
}

// issue returns a new challenge, valid until now + ttl.
func (c *challenges) issue(now time.Time) (string, time.Time) {
	expires := now.Add(c.ttl).Truncate(time.Second)
	msg := make([]byte, challengeRandom+8)
	rand.Read(msg[:challengeRandom])
	binary.BigEndian.PutUint64(msg[challengeRandom:], uint64(expires.Unix()))
	return challengePrefix + base64.RawURLEncoding.EncodeToString(append(msg, c.mac(msg)...)), expires
}

func (c *challenges) mac(msg []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write(msg)
	return h.Sum(nil)[:challengeMAC]
}

// check reports whether challenge is one of this server's (ours), and an
// error when it is and cannot be accepted at now: expired, used, or not
// issued by this process.
func (c *challenges) check(challenge string, now time.Time) (ours bool, expires time.Time, err error) {
	enc, ok := strings.CutPrefix(challenge, challengePrefix)
	if !ok {
		return false, time.Time{}, nil
	}
	raw, decErr := base64.RawURLEncoding.Strict().DecodeString(enc)
	if decErr != nil || len(raw) != challengeRandom+8+challengeMAC {
		return true, time.Time{}, errChallengeNotOurs
	}
	msg, tag := raw[:challengeRandom+8], raw[challengeRandom+8:]
	if !hmac.Equal(tag, c.mac(msg)) {
		return true, time.Time{}, errChallengeNotOurs
	}
	expires = time.Unix(int64(binary.BigEndian.Uint64(msg[challengeRandom:])), 0)
	if !now.Before(expires) {
		return true, expires, errChallengeExpired
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, used := c.spent[challenge]; used {
		return true, expires, errChallengeUsed
	}
	return true, expires, nil
}

// spend marks one of this server's challenges used, once: it fails when
// another request spent it first.
func (c *challenges) spend(challenge string, expires, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.queue) > 0 && !now.Before(c.queue[0].expires) {
		delete(c.spent, c.queue[0].token)
		c.queue = c.queue[1:]
	}
	if _, used := c.spent[challenge]; used {
		return errChallengeUsed
	}
	if len(c.spent) >= c.maxSpent {
		return errTooManyChallenges
	}
	c.spent[challenge] = expires
	c.queue = append(c.queue, spentChallenge{challenge, expires})
	return nil
}
