package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"quotacert/internal/apperr"
)

// Limits of the JSON request bodies. Each route passes the one that fits what it accepts.
const (
	// maxAuthBody bounds the bodies of the auth endpoints: they are reachable without login.
	maxAuthBody = 16 << 10
	// maxSmallBody bounds the other bodies of signed-in users (profile, affiliate, decision, year).
	maxSmallBody = 64 << 10
	// maxPlacementBody bounds a placement or its months. The largest valid months body has 12
	// claims, each with a 500-character note and its evidence ids: about 20 KB as plain UTF-8,
	// about 40 KB if a client escapes every character (\uXXXX); 64 KiB leaves room for that.
	maxPlacementBody = 64 << 10
	// maxNoticeBody bounds a notice: 50 000 Chinese characters are 150 KB in UTF-8.
	maxNoticeBody = 256 << 10
)

// decodeJSON reads the request body, one JSON object of at most limit bytes, into v. Bad input is
// an Invalid error with a Chinese message, never a 500: a body over the limit says so (and the
// server closes the connection rather than read the rest), a wrong type names its field, and a
// string that is not valid text (checkJSONText) names its path ("claims[0].note").
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return apperr.Wrap(apperr.Invalid, fmt.Sprintf("请求内容超过 %d KB 的大小限制", limit>>10), err)
	case err != nil:
		return apperr.Wrap(apperr.Invalid, "请求内容无法读取，请重试", err)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	err = dec.Decode(v)
	if err == nil && dec.More() {
		return apperr.New(apperr.Invalid, "请求内容只能包含一个 JSON 对象")
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		return apperr.Wrap(apperr.Invalid, fmt.Sprintf("字段 %s 的类型不正确", typeErr.Field), err)
	}
	return apperr.Wrap(apperr.Invalid, "请求内容不是有效的 JSON 对象", err)
}

// jsonFrame is one open object or array while checkJSONText walks a body.
type jsonFrame struct {
	object  bool
	key     string // object: the current member's name
	wantKey bool   // object: the next token is a member name
	index   int    // array: the current element
}

// checkJSONText walks the strings of a JSON body, member names included, and refuses one that is
// not valid text for its field (validText; multi-line by the field's name), or whose literal holds
// invalid UTF-8 or a lone surrogate escape: encoding/json would silently decode both as U+FFFD,
// so they are looked for in the raw bytes. A body that is not JSON at all passes: the decoder
// reports it.
func checkJSONText(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonFrame
	prev := int64(0)
	done := func() { // a value ended: the enclosing object wants a name, the array its next element
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error that Decode reports
		}
		end := dec.InputOffset()
		raw := body[prev:end]
		prev = end
		n := len(stack)
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, jsonFrame{object: true, wantKey: true})
			case '[':
				stack = append(stack, jsonFrame{})
			default:
				stack = stack[:n-1]
				done()
			}
			continue
		}
		str, isString := tok.(string)
		if n > 0 && stack[n-1].object && stack[n-1].wantKey {
			stack[n-1].key, stack[n-1].wantKey = str, false
			if !validLiteral(raw) || !validText(str, false) {
				return badText(jsonPath(stack))
			}
			continue
		}
		if isString {
			field := jsonPath(stack)
			if field == "" {
				field = "body"
			}
			if !validLiteral(raw) || !validText(str, multiLine(field)) {
				return badText(field)
			}
		}
		done()
	}
}

// jsonPath names the current value: "claims[0].note".
func jsonPath(stack []jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		if f.object {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		} else {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return b.String()
}

// validLiteral checks the raw bytes of a string token (with the separators before it): valid UTF-8,
// and every \u escape of a UTF-16 surrogate part of a pair.
func validLiteral(raw []byte) bool {
	i := bytes.IndexByte(raw, '"')
	if i < 0 {
		return true
	}
	lit := raw[i:]
	if !utf8.Valid(lit) {
		return false
	}
	high := false // the previous escape was a high surrogate
	for j := 0; j < len(lit); j++ {
		if lit[j] != '\\' {
			if high {
				return false
			}
			continue
		}
		j++
		if j >= len(lit) || lit[j] != 'u' {
			if high {
				return false
			}
			continue
		}
		if j+4 >= len(lit) {
			return false
		}
		u, err := strconv.ParseUint(string(lit[j+1:j+5]), 16, 16)
		if err != nil {
			return false
		}
		j += 4
		switch {
		case u >= 0xd800 && u <= 0xdbff:
			if high {
				return false
			}
			high = true
		case u >= 0xdc00 && u <= 0xdfff:
			if !high {
				return false
			}
			high = false
		default:
			if high {
				return false
			}
		}
	}
	return !high
}
