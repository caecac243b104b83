package account_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"quotacert/internal/store/storetest"
)

// TestCaptchaColoursDoNotSeparateDigits is the old solver's idea turned into a test. The old image
// drew the digits in two fixed palette colours and the noise in a third: selecting the ink colours
// and cutting at the empty columns gave the five digits, 30 times out of 30. Here, over 30 images:
// the colour that holds the digits also draws the strike-through line across the whole width (no
// empty column to cut at); every other colour is a few noise circles, too few pixels for a digit;
// and the digits' colour changes from image to image, so no fixed palette finds it.
func TestCaptchaColoursDoNotSeparateDigits(t *testing.T) {
	svc := newService(t, storetest.SQLite(t, storetest.Options{}))
	inkColours := map[color.RGBA]bool{}
	const images = 30
	for i := 0; i < images; i++ {
		_, img, err := svc.NewCaptcha(context.Background(), "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(img, "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		im, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		b := im.Bounds()
		pixels := map[color.RGBA]int{}
		columns := map[color.RGBA]map[int]bool{}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := im.At(x, y).RGBA()
				if a == 0 {
					continue // the transparent ground
				}
				c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
				pixels[c]++
				if columns[c] == nil {
					columns[c] = map[int]bool{}
				}
				columns[c][x] = true
			}
		}
		var ink color.RGBA
		for c, n := range pixels {
			if n > pixels[ink] {
				ink = c
			}
		}
		inkColours[ink] = true
		// A digit is hundreds of pixels (5 digits of a 11×18 dot font with 2-px dots).
		if pixels[ink] < 1000 {
			t.Fatalf("image %d: the most frequent colour has %d pixels: no digits drawn?", i, pixels[ink])
		}
		if n := len(columns[ink]); n < b.Dx()*85/100 {
			t.Errorf("image %d: the digits' colour covers %d of %d columns: the digits could be cut apart at empty columns", i, n, b.Dx())
		}
		for c, n := range pixels {
			if c != ink && n >= 150 {
				t.Errorf("image %d: colour %v has %d pixels: it could hold a digit apart from the noise", i, c, n)
			}
		}
		if b.Dx() != 240 || b.Dy() != 80 {
			t.Errorf("image %d: size %v", i, b)
		}
	}
	if len(inkColours) < images*8/10 {
		t.Errorf("the digits' colour repeats: %d colours in %d images; a fixed palette would find them", len(inkColours), images)
	}
}
