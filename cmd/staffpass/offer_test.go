package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"rsc.io/qr"
)

// decodeQR reads a QR code from an image with gozxing, an independent
// decoder (a port of ZXing).
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("gozxing: %v", err)
	}
	return res.GetText()
}

// terminalImage turns TerminalQR's text back into the pixels a dark
// terminal shows, four a module edge: a block (foreground) is light, a
// space (background) dark, half blocks one of each.
func terminalImage(text string) image.Image {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	const s = 4
	w := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, w*s, 2*len(lines)*s))
	set := func(x, y int, light bool) {
		c := color.Gray{0}
		if light {
			c = color.Gray{255}
		}
		for dy := range s {
			for dx := range s {
				img.SetGray(x*s+dx, y*s+dy, c)
			}
		}
	}
	for y, line := range lines {
		for x, r := range []rune(line) {
			top, bottom := false, false
			switch r {
			case '█':
				top, bottom = true, true
			case '▀':
				top = true
			case '▄':
				bottom = true
			}
			set(x, 2*y, top)
			set(x, 2*y+1, bottom)
		}
	}
	return img
}

// The QR codes printed and written decode, with an independent decoder, to
// the offer URI printed.
func TestOfferQRCodesDecodeToTheURI(t *testing.T) {
	uri := OfferURI("https://passport.kch.nhs.uk", "Xy7_k2mQ9fTz4bR1sV8wLq3e")
	code, err := qr.Encode(uri, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	// A dark terminal shows the blocks light: the screen is the code.
	if got := decodeQR(t, terminalImage(TerminalQR(code))); got != uri {
		t.Errorf("terminal QR decodes to %q", got)
	}
	code.Scale = 8
	img, err := png.Decode(bytes.NewReader(code.PNG()))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, img); got != uri {
		t.Errorf("PNG decodes to %q", got)
	}
	if !strings.HasPrefix(uri, "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fpassport.kch.nhs.uk%2Foffers%2F") {
		t.Errorf("uri %s", uri)
	}
}
