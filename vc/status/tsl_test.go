package status

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
)

// The Token Status List draft's examples (draft-ietf-oauth-status-list,
// section 4.1): one bit a status, and two.
func TestTokenStatusListDraftExamples(t *testing.T) {
	for _, tt := range []struct {
		lst  string
		bits int
		want []int
	}{
		{"eNrbuRgAAhcBXQ", 1, []int{1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1}},
		{"eNo76fITAAPfAgc", 2, []int{1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3}},
	} {
		l, err := ReadTokenList([]byte(`{"sub":"https://example.com/statuslists/1","iat":1686920170,"ttl":43200,"status_list":{"bits":` +
			itoaT(tt.bits) + `,"lst":"` + tt.lst + `"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if l.Len() != len(tt.want)+(8/tt.bits*len(l.lst)-len(tt.want)) || l.TTL.Hours() != 12 {
			t.Errorf("len %d ttl %v", l.Len(), l.TTL)
		}
		for i, w := range tt.want {
			if got, err := l.Status(i); err != nil || got != w {
				t.Errorf("bits %d: status %d = %d, %v; want %d", tt.bits, i, got, err, w)
			}
		}
		if _, err := l.Status(l.Len()); !errors.Is(err, ErrIndexOutOfRange) {
			t.Errorf("past the end: %v", err)
		}
		enc, err := EncodeTokenList(tt.want, tt.bits)
		if err != nil {
			t.Fatal(err)
		}
		again, err := inflate(enc)
		if err != nil || string(again) != string(l.lst) {
			t.Errorf("EncodeTokenList does not give the same bytes: %x, want %x", again, l.lst)
		}
	}
}

func itoaT(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestTokenStatusListRefusals(t *testing.T) {
	good := `{"sub":"https://example.com/statuslists/1","iat":1686920170,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`
	for name, in := range map[string]string{
		"no sub":         strings.Replace(good, `"sub":"https://example.com/statuslists/1",`, "", 1),
		"no iat":         strings.Replace(good, `"iat":1686920170,`, "", 1),
		"bits 3":         strings.Replace(good, `"bits":1`, `"bits":3`, 1),
		"lst not zlib":   strings.Replace(good, `eNrbuRgAAhcBXQ`, `AAAA`, 1),
		"lst padded":     strings.Replace(good, `eNrbuRgAAhcBXQ`, `eNrbuRgAAhcBXQ==`, 1),
		"lst gzip":       strings.Replace(good, `eNrbuRgAAhcBXQ`, `H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA`, 1),
		"iat a string":   strings.Replace(good, `1686920170`, `"1686920170"`, 1),
		"iat a fraction": strings.Replace(good, `1686920170`, `1686920170.5`, 1),
		"ttl zero":       strings.Replace(good, `"iat"`, `"ttl":0,"iat"`, 1),
		"no status_list": `{"sub":"https://example.com/statuslists/1","iat":1686920170}`,
		"not json":       `{"sub":`,
	} {
		if _, err := ReadTokenList([]byte(in)); err == nil {
			t.Errorf("%s: read", name)
		}
	}
	// A list that expands beyond the limit.
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(make([]byte, limits.MaxStatusListBytes+1))
	zw.Close()
	big := base64.RawURLEncoding.EncodeToString(buf.Bytes())
	if _, err := ReadTokenList([]byte(strings.Replace(good, "eNrbuRgAAhcBXQ", big, 1))); !errors.Is(err, ErrListLength) {
		t.Errorf("an oversized list: %v", err)
	}
	for name, claim := range map[string]any{
		"not an object":       "x",
		"another mechanism":   map[string]any{"status_list": map[string]any{"idx": json.Number("1"), "uri": "https://a.example/1"}, "other": 1},
		"idx negative":        map[string]any{"status_list": map[string]any{"idx": json.Number("-1"), "uri": "https://a.example/1"}},
		"idx a string":        map[string]any{"status_list": map[string]any{"idx": "1", "uri": "https://a.example/1"}},
		"uri not a URL":       map[string]any{"status_list": map[string]any{"idx": json.Number("1"), "uri": "list 1"}},
		"no status_list":      map[string]any{},
		"idx beyond any list": map[string]any{"status_list": map[string]any{"idx": json.Number("99999999999"), "uri": "https://a.example/1"}},
	} {
		if _, err := ReadReference(claim); err == nil {
			t.Errorf("%s: read", name)
		}
	}
	if r, err := ReadReference(map[string]any{"status_list": map[string]any{"idx": json.Number("7"), "uri": "https://a.example/1"}}); err != nil || r.Index != 7 {
		t.Errorf("%+v %v", r, err)
	}
}
