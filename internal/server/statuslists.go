package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/vc/status"
	"github.com/staffpass/staffpass/verifier"
)

// listCache holds the issuer's status list credentials as signed for
// serving and for verification: each is signed again when its bits change
// (the registry's version of it) or half its validity has passed. The
// registry is read again at most every listRecheck, or at once after a
// change this server made, so that changes other processes make (the CLI's
// "status revoke") are served within seconds.
type listCache struct {
	is *Issuer

	mu      sync.Mutex
	signed  map[int64]*signedList
	byName  map[string]int64 // the last segment of a list's URL -> id
	checked time.Time
	gen     uint64 // counts signings
}

type signedList struct {
	data     []byte
	version  int64
	signedAt time.Time
	// token is, for a revocation list, the same bits as an IETF Token
	// Status List (for SD-JWT VCs), signed with it.
	token []byte
}

// listRecheck is how long the cache trusts its last reading of the
// registry.
const listRecheck = 2 * time.Second

func newListCache(is *Issuer) *listCache {
	return &listCache{is: is, signed: make(map[int64]*signedList), byName: make(map[string]int64)}
}

// invalidate makes the next use read the registry.
func (c *listCache) invalidate() {
	c.mu.Lock()
	c.checked = time.Time{}
	c.mu.Unlock()
}

// refresh reads the registry, unless it did within listRecheck, and signs
// what changed. It returns the generation of the lists.
func (c *listCache) refresh(ctx context.Context, now time.Time) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.checked.IsZero() && now.Sub(c.checked) < listRecheck && now.After(c.checked) {
		return c.gen, nil
	}
	lists, err := c.is.Registry.StatusLists(ctx)
	if err != nil {
		return c.gen, err
	}
	for _, l := range lists {
		have := c.signed[l.ID]
		if have != nil && have.version == l.Version && now.Sub(have.signedAt) < c.is.StatusValidFor/2 {
			continue
		}
		data, snap, _, err := issuer.SignStatusList(ctx, c.is.Registry, c.is.Signer, l.ID, now,
			issuer.PublishOptions{Format: c.is.StatusFormat, ValidFor: c.is.StatusValidFor})
		if err != nil {
			return c.gen, err
		}
		if snap.Version != snap.PublishedVersion {
			if err := c.is.Registry.RecordPublished(ctx, l.ID, snap.Version, "staffpass serve"); err != nil {
				return c.gen, err
			}
		}
		sl := &signedList{data: data, version: snap.Version, signedAt: now}
		if snap.Purpose == status.PurposeRevocation {
			if sl.token, err = issuer.SignTokenList(ctx, c.is.Registry, c.is.Signer, l.ID, now,
				issuer.PublishOptions{ValidFor: c.is.StatusValidFor}); err != nil {
				return c.gen, err
			}
		}
		c.signed[l.ID] = sl
		if u, err := url.Parse(snap.URL); err == nil {
			c.byName[path.Base(u.Path)] = l.ID
		}
		c.gen++
	}
	c.checked = now
	return c.gen, nil
}

// get returns the signed list whose URL ends in name.
func (c *listCache) get(name string) (*signedList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.byName[name]
	if !ok {
		return nil, false
	}
	l, ok := c.signed[id]
	return l, ok
}

// all returns every signed list, and the Token Status Lists of the
// revocation lists.
func (c *listCache) all() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([][]byte, 0, 2*len(c.signed))
	for _, l := range c.signed {
		out = append(out, l.data)
		if l.token != nil {
			out = append(out, l.token)
		}
	}
	return out
}

// verifier returns the Verifier of the Config's Trust and the issuer's
// lists as they are now, made again when the lists were signed again.
func (s *Server) verifier(ctx context.Context) (*verifier.Verifier, error) {
	var gen uint64
	if s.lists != nil {
		var err error
		if gen, err = s.lists.refresh(ctx, s.now()); err != nil {
			return nil, fmt.Errorf("the issuer's status lists: %w", err)
		}
	}
	s.vmu.Lock()
	defer s.vmu.Unlock()
	if s.v != nil && s.vgen == gen {
		return s.v, nil
	}
	trust := s.cfg.Trust
	if s.lists != nil {
		trust.StatusLists = append(append([][]byte(nil), trust.StatusLists...), s.lists.all()...)
	}
	v, err := verifier.New(trust, s.cfg.VerifierOptions...)
	if err != nil {
		return nil, err
	}
	s.v, s.vgen = v, gen
	return v, nil
}

// handleStatusList serves GET /status/{list}: the status list credential,
// as a vc+jwt or Data Integrity JSON; and GET /status/{list}.statuslist, a
// revocation list as an IETF Status List Token, for SD-JWT VCs.
func (s *Server) handleStatusList(w http.ResponseWriter, r *http.Request) {
	if s.lists == nil {
		writeProblem(w, r, http.StatusNotFound, "not-found", "this server hosts no status lists")
		return
	}
	if _, err := s.lists.refresh(r.Context(), s.now()); err != nil {
		s.log.Error("status lists", "request_id", requestID(r), "error", err.Error())
		writeProblem(w, r, http.StatusServiceUnavailable, "unavailable", "the status lists cannot be read now")
		return
	}
	name := r.PathValue("list")
	base, token := strings.CutSuffix(name, path.Ext(issuer.TokenListURL("")))
	l, ok := s.lists.get(base)
	if ok && token && l.token == nil {
		ok = false // a suspension list has no Token Status List
	}
	if !ok {
		writeProblem(w, r, http.StatusNotFound, "not-found", "no status list "+strconv.Quote(name))
		return
	}
	h := w.Header()
	data := l.data
	switch {
	case token:
		data = l.token
		h.Set("Content-Type", "application/statuslist+jwt")
	case s.cfg.Issuer.StatusFormat == issuer.FormatJWT:
		h.Set("Content-Type", "application/vc+jwt")
	default:
		h.Set("Content-Type", "application/vc+ld+json")
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "max-age=60")
	h.Set("Last-Modified", l.signedAt.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}
