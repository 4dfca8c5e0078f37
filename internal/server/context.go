package server

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

type (
	requestIDKey struct{}
	notesKey     struct{}
)

// notes are what a handler adds to the request's log record: ids, types and
// outcomes, never contents.
type notes struct {
	actor string
	attrs []any
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

func notesOf(r *http.Request) *notes {
	n, _ := r.Context().Value(notesKey{}).(*notes)
	return n
}

// note adds key and value to the request's log record.
func note(r *http.Request, key string, value any) {
	if n := notesOf(r); n != nil {
		n.attrs = append(n.attrs, key, value)
	}
}

func setActor(r *http.Request, actor string) {
	if n := notesOf(r); n != nil {
		n.actor = actor
	}
}

// recorder remembers the status and size of a response, for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}
