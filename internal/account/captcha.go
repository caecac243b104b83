package account

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/dchest/captcha"
)

// CaptchaDigits is the length of a captcha answer: digits only, so the answer can be typed with a
// numeric keypad, read aloud by a helper, and spoken by the audio version.
const CaptchaDigits = 5

// CaptchaWidth and CaptchaHeight are the image size in pixels (the login template's img size).
const (
	CaptchaWidth  = captcha.StdWidth
	CaptchaHeight = captcha.StdHeight
)

// CaptchaLanguage is the language of the audio captcha.
const CaptchaLanguage = "zh"

// Captcha is a stored challenge. The answer is checked against its hash, bound to the id; Digits
// are kept so that the audio version of the same challenge can be spoken (github.com/dchest/captcha
// renders both from the digits; its own in-memory store is never used, because several instances
// share the database).
type Captcha struct {
	ID         string
	AnswerHash string
	Digits     string
	ExpiresAt  time.Time
}

// captchaAnswerHash binds the answer to its id so a hash from one challenge is useless for another.
func captchaAnswerHash(id, answer string) string {
	sum := sha256.Sum256([]byte("quotacert/captcha\x00" + id + "\x00" + answer))
	return hex.EncodeToString(sum[:])
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

// digitValues turns "40712" into {4, 0, 7, 1, 2}, the form the captcha library draws and speaks.
func digitValues(s string) []byte {
	out := make([]byte, len(s))
	for i := range s {
		out[i] = s[i] - '0'
	}
	return out
}

// renderCaptcha draws the digits as distorted dots crossed by a line of the same colour, with noise
// circles, in a random dark colour on a transparent ground: no colour separates the digits from the
// noise (the old image kept them in fixed palette colours and was solved 30 times out of 30).
func renderCaptcha(id, digits string) (string, error) {
	var buf bytes.Buffer
	if _, err := captcha.NewImage(id, digitValues(digits), CaptchaWidth, CaptchaHeight).WriteTo(&buf); err != nil {
		return "", fmt.Errorf("encode captcha: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// speakCaptcha returns the digits spoken in Chinese over background noise, as a WAV file.
func speakCaptcha(id, digits string) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := captcha.NewAudio(id, digitValues(digits), CaptchaLanguage).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode audio captcha: %w", err)
	}
	return buf.Bytes(), nil
}
