package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

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
// server closes the connection rather than read the rest), a wrong type names its field.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(v)
	if err == nil && dec.More() {
		return apperr.New(apperr.Invalid, "请求内容只能包含一个 JSON 对象")
	}
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return apperr.Wrap(apperr.Invalid, fmt.Sprintf("请求内容超过 %d KB 的大小限制", limit>>10), err)
	case errors.As(err, &typeErr):
		return apperr.Wrap(apperr.Invalid, fmt.Sprintf("字段 %s 的类型不正确", typeErr.Field), err)
	}
	return apperr.Wrap(apperr.Invalid, "请求内容不是有效的 JSON 对象", err)
}
