package vc

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDataURL(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		mediaType string
		base64    bool
		data      string
		err       string // a fragment of the reason when refused
	}{
		{"a vc+jwt is read", "data:application/vc+jwt,eyJ.eyJ.sig", MediaTypeVCJWT, false, "eyJ.eyJ.sig", ""},
		{"the scheme and media type are case-insensitive", "DATA:Application/VC+JWT,x", MediaTypeVCJWT, false, "x", ""},
		{"an sd-jwt with disclosures is read", "data:application/vc+sd-jwt,eyJ.eyJ.sig~WyJ~", MediaTypeVCSDJWT, false, "eyJ.eyJ.sig~WyJ~", ""},
		{"base64 data is decoded", "data:application/vc+cose;base64,aGVsbG8=", MediaTypeVCCOSE, true, "hello", ""},
		{"percent escapes are decoded", "data:text/plain;charset=utf-8,a%20b%2C", "text/plain", false, "a b,", ""},
		{"a flag parameter such as base64url is allowed and ignored", "data:application/vc-ld+jwt;base64url,eyJ.eyJ.sig", "application/vc-ld+jwt", false, "eyJ.eyJ.sig", ""},
		{"a missing media type means text/plain", "data:,hi", "text/plain", false, "hi", ""},
		{"a quoted parameter value is allowed", `data:text/plain;charset="utf-8",hi`, "text/plain", false, "hi", ""},
		{"a space in the data is allowed", "data:application/vc+sd-jwt,a ~b", MediaTypeVCSDJWT, false, "a ~b", ""},
		{"an https URL is refused", "https://e.example/vc", "", false, "", "data:"},
		{"a URL without a comma is refused", "data:application/vc+jwt;eyJ", "", false, "", "','"},
		{"a media type without a subtype is refused", "data:application,x", "", false, "", "type/subtype"},
		{"a media type with a space is refused", "data:application/vc jwt,x", "", false, "", "type/subtype"},
		{"a malformed parameter is refused", "data:text/plain;a=b c,x", "", false, "", "parameter"},
		{"a new line at the end is removed, as the URL Standard says", "data:application/vc+jwt,eyJ.eyJ.sig\n", MediaTypeVCJWT, false, "eyJ.eyJ.sig", ""},
		{"tabs and new lines anywhere are removed", "da\tta:appli\r\ncation/vc+cose;ba\nse64,aGVs\n\tbG8=\r\n", MediaTypeVCCOSE, true, "hello", ""},
		{"a new line in plain data is removed", "data:,a\nb\rc\td", "text/plain", false, "abcd", ""},
		{"a percent-encoded new line stays in the data", "data:,a%0A%09b", "text/plain", false, "a\n\tb", ""},
		{"a vertical tab in the data is refused", "data:,a\vb", "", false, "", "control"},
		{"a form feed in the data is refused", "data:,a\fb", "", false, "", "control"},
		{"a NUL in the data is refused", "data:,a\x00b", "", false, "", "control"},
		{"a DEL in the data is refused", "data:,a\x7fb", "", false, "", "control"},
		{"a form feed in the media type is refused", "data:application/vc+jwt\f,x", "", false, "", "type/subtype"},
		{"a bad percent escape is refused", "data:,a%g0", "", false, "", "%XX"},
		{"base64 that is not base64 is refused", "data:;base64,***", "", false, "", "base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseDataURL(tt.in)
			if tt.err != "" {
				if !errors.Is(err, ErrEnvelope) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one about %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.MediaType != tt.mediaType || u.Base64 != tt.base64 || string(u.Data) != tt.data {
				t.Errorf("ParseDataURL = %+v (data %q)", u, u.Data)
			}
			e := &Envelope{ID: tt.in}
			if e.MediaType() != tt.mediaType {
				t.Errorf("Envelope.MediaType() = %q", e.MediaType())
			}
		})
	}
	if (&Envelope{ID: "https://e.example/"}).MediaType() != "" {
		t.Error("an envelope without a data: URL has a media type")
	}
}
