package web

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"testing"
)

// FormFile is one file part of a test form: its field, its file name and its bytes.
type FormFile struct {
	Field, Name string
	Content     []byte
}

// MultipartBody encodes fields and files as multipart/form-data, as a browser posts a form with
// files; it returns the body and its Content-Type. (Exported for the web_test package too.)
func MultipartBody(t testing.TB, fields url.Values, files ...FormFile) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.Field, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.Content); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}
