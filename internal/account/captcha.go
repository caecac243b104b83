package account

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/big"
	"time"
)

// CaptchaDigits is the length of a captcha answer: digits only, so the answer can be typed with a
// numeric keypad and read aloud by a helper.
const CaptchaDigits = 5

// Captcha is a stored challenge: only a hash of the answer is kept, bound to the id.
type Captcha struct {
	ID         string
	AnswerHash string
	ExpiresAt  time.Time
}

// captchaAnswerHash binds the answer to its id so a hash from one challenge is useless for another.
func captchaAnswerHash(id, answer string) string {
	sum := sha256.Sum256([]byte("quotacert/captcha\x00" + id + "\x00" + answer))
	return hex.EncodeToString(sum[:])
}

// glyphs is a 5×7 bitmap font for the digits; drawing them ourselves needs no font file.
var glyphs = [10][7]string{
	{"01110", "10001", "10011", "10101", "11001", "10001", "01110"},
	{"00100", "01100", "00100", "00100", "00100", "00100", "01110"},
	{"01110", "10001", "00001", "00010", "00100", "01000", "11111"},
	{"11111", "00010", "00100", "00010", "00001", "10001", "01110"},
	{"00010", "00110", "01010", "10010", "11111", "00010", "00010"},
	{"11111", "10000", "11110", "00001", "00001", "10001", "01110"},
	{"00110", "01000", "10000", "11110", "10001", "10001", "01110"},
	{"11111", "00001", "00010", "00100", "01000", "01000", "01000"},
	{"01110", "10001", "10001", "01110", "10001", "10001", "01110"},
	{"01110", "10001", "10001", "01111", "00001", "00010", "01100"},
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("account: system random source failed: " + err.Error())
	}
	return int(v.Int64())
}

// randomDigits returns n random decimal digits.
func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + randInt(10))
	}
	return string(b)
}

// CaptchaWidth and CaptchaHeight are the image size in pixels (the login template's img size).
const (
	CaptchaWidth  = 120
	CaptchaHeight = 40
)

// renderCaptcha draws the digits with jitter, dot noise and lines as a small paletted PNG data URL.
// Dark ink on a light ground keeps it readable for people with low vision.
func renderCaptcha(answer string) (string, error) {
	pal := color.Palette{
		color.RGBA{0xfa, 0xfa, 0xf5, 0xff}, // ground
		color.RGBA{0x1a, 0x1a, 0x40, 0xff}, // ink
		color.RGBA{0x8a, 0x8a, 0xa8, 0xff}, // noise
		color.RGBA{0x0b, 0x4f, 0x9c, 0xff}, // ink 2
	}
	img := image.NewPaletted(image.Rect(0, 0, CaptchaWidth, CaptchaHeight), pal)
	for i := 0; i < 140; i++ { // dot noise
		img.SetColorIndex(randInt(CaptchaWidth), randInt(CaptchaHeight), 2)
	}
	// Each glyph pixel becomes a 3×4 block (digits 15×28 px, 7 px apart); each digit gets its own
	// small offset and a consistent slant, which defeats naive template matching but stays legible.
	const sx, sy = 3, 4
	for i, ch := range answer {
		g := glyphs[ch-'0']
		x0 := 8 + i*22 + randInt(4)
		y0 := 3 + randInt(7)
		slant := randInt(3) - 1
		ink := uint8(1 + 2*randInt(2))
		for gy, row := range g {
			shear := (3 - gy) * slant / 2
			for gx, bit := range row {
				if bit != '1' {
					continue
				}
				for dy := 0; dy < sy; dy++ {
					for dx := 0; dx < sx; dx++ {
						img.SetColorIndex(x0+gx*sx+dx+shear, y0+gy*sy+dy, ink)
					}
				}
			}
		}
	}
	for l := 0; l < 2; l++ { // thin slanted lines across the digits, in the noise colour
		y := 5 + randInt(CaptchaHeight-10)
		slope := randInt(9) - 4 // rise in pixels over the whole width
		for x := 0; x < CaptchaWidth; x++ {
			img.SetColorIndex(x, y+slope*x/CaptchaWidth, 2)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("encode captcha: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
