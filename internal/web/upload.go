package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/blob"
)

// Limits of the multipart forms that carry attachments: the files themselves (blob.MaxSize each)
// and a megabyte of text around them.
const (
	// maxOneFileForm bounds a form with one attachment (affiliate form, POST /api/v1/files).
	maxOneFileForm = blob.MaxSize + 1<<20
	// maxNoticeForm bounds a notice form: a few attachments and the text.
	maxNoticeForm = 5*blob.MaxSize + 1<<20
	// maxPlacementForm bounds a placement form or a month grid: a few attachments and the text.
	maxPlacementForm = 6*blob.MaxSize + 1<<20
)

// maxFieldBytes bounds one text field of a multipart form.
const maxFieldBytes = 4 << 10

// readUploadForm streams a form of at most limit bytes. Text fields go into values; the file chosen
// in a part named "file" or "X.file" is stored through the attachment service as it streams in (never
// held whole in memory) and its id added to "fileIds" or "X.fileIds". An upload that is refused (type,
// size) is reported in errs under that ids key, to be shown beside its input, and the rest of the
// form is still read, so nothing typed is lost. A urlencoded post (no file) is accepted too. A form
// that cannot be read at all gives an Invalid error, with values holding what was read before it.
func (s *Server) readUploadForm(w http.ResponseWriter, r *http.Request, limit int64) (values url.Values, errs map[string]string, err error) {
	a, _ := s.actor(r)
	values, errs = url.Values{}, map[string]string{}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		if err := r.ParseForm(); err != nil {
			return values, errs, apperr.Wrap(apperr.Invalid, "提交的表单无法读取，请重新填写", err)
		}
		return r.PostForm, errs, nil
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return values, errs, nil
		}
		if err != nil {
			return values, errs, uploadError(err)
		}
		prefix, isFile := strings.CutSuffix(part.FormName(), "file")
		if !isFile || (prefix != "" && !strings.HasSuffix(prefix, ".")) {
			if err := readField(values, part); err != nil {
				return values, errs, err
			}
			continue
		}
		if part.FileName() == "" {
			continue // no file chosen
		}
		f, err := s.deps.Files.Upload(r.Context(), a, part.FileName(), part)
		if err != nil {
			e := apperr.As(uploadError(err))
			if e.Code != apperr.Invalid {
				return values, errs, err
			}
			errs[prefix+"fileIds"] = firstNonEmpty(e.Fields["file"], e.Message)
			continue
		}
		values.Add(prefix+"fileIds", f.ID)
	}
}

// readField reads one text field of a multipart form into values.
func readField(values url.Values, part *multipart.Part) error {
	b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
	if err != nil {
		return uploadError(err)
	}
	if len(b) > maxFieldBytes {
		return apperr.New(apperr.Invalid, "表单内容过长")
	}
	if !validText(part.FormName(), false) {
		return badText("form")
	}
	if err := checkText(part.FormName(), string(b)); err != nil {
		return err
	}
	values.Add(part.FormName(), string(b))
	return nil
}

// uploadError turns a body that exceeded the request limit into the size message, and a body that
// broke off into "upload interrupted"; a user-facing error passes unchanged.
func uploadError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return fieldErr("file", "文件不能超过 10 MB，请压缩或拆分后上传")
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return fieldErr("file", "文件上传中断，请重新上传")
}

// fieldErr is an Invalid error whose message is shown beside one field.
func fieldErr(field, msg string) error {
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: map[string]string{field: msg}}
}

// firstNonEmpty returns a, or b when a is empty.
func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
