package attachment_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/attachment"
	"quotacert/internal/blob"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

const pdf = "%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"

func insertEmployer(t *testing.T, db *store.DB, code, office string) int64 {
	t.Helper()
	var id int64
	var off any
	if office != "" {
		off = office
	}
	err := db.SQL().QueryRowContext(context.Background(), `INSERT INTO employers (credit_code, name, federation_office, created_at, updated_at)
        VALUES ($1, '单位', $2, $3, $3) RETURNING id`, code, off, t0).Scan(&id)
	if err != nil {
		t.Fatalf("insert employer: %v", err)
	}
	return id
}

func countBlobs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUploadAndAccess(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		blobs, err := blob.SealedFiles(dir, testBlobKey)
		if err != nil {
			t.Fatal(err)
		}
		svc := attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs))
		own := insertEmployer(t, db, "91220101MA14U8XK2R", "220102")
		other := insertEmployer(t, db, "91350100M000100Y43", "220202")
		noOffice := insertEmployer(t, db, "911100001000044477", "")
		owner := actor.Actor{Name: "owner", Role: actor.Employer, EmployerID: own}

		f, err := svc.Upload(ctx, owner, `C:\Users\王芳\劳务派遣协议.pdf`, strings.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "劳务派遣协议.pdf" || f.Size != int64(len(pdf)) || f.ContentType != blob.TypePDF || len(f.ID) != 26 || !f.CreatedAt.Equal(t0) {
			t.Errorf("uploaded = %+v", f)
		}
		read := func(a actor.Actor) (string, error) {
			_, rc, err := svc.Open(ctx, a, f.ID)
			if err != nil {
				return "", err
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			return string(b), err
		}
		cases := []struct {
			name string
			a    actor.Actor
			ok   bool
		}{
			{"owner", owner, true},
			{"another employer", actor.Actor{Role: actor.Employer, EmployerID: other}, false},
			{"province reviewer", actor.Actor{UserID: 7, Role: actor.Reviewer, Office: "220000"}, true},
			{"city reviewer", actor.Actor{Role: actor.Reviewer, Office: "220100"}, true},
			{"district reviewer", actor.Actor{Role: actor.Admin, Office: "220102"}, true},
			{"neighbouring district reviewer", actor.Actor{Role: actor.Reviewer, Office: "220103"}, false},
			{"other city reviewer", actor.Actor{Role: actor.Reviewer, Office: "220200"}, false},
		}
		for _, c := range cases {
			got, err := read(c.a)
			if c.ok && (err != nil || got != pdf) {
				t.Errorf("%s: %q, %v", c.name, got, err)
			}
			if !c.ok && apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s: want not found, got %v", c.name, err)
			}
		}
		if _, err := read(actor.Actor{Role: actor.Employer, EmployerID: noOffice}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("employer without office: %v", err)
		}
		if _, _, err := svc.Open(ctx, owner, "doesnotexist"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown id: %v", err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'file.download'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("staff downloads audited %d times, want 3", n)
		}

		// A refused upload writes no row and no bytes.
		before := countBlobs(t, dir)
		if _, err := svc.Upload(ctx, owner, "virus.pdf", bytes.NewReader([]byte("MZ\x90\x00 executable"))); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("executable upload: %v", err)
		}
		// Metadata that cannot be written (an employer id that does not exist) removes the bytes again.
		ghost := actor.Actor{Role: actor.Employer, EmployerID: 999999}
		if _, err := svc.Upload(ctx, ghost, "x.pdf", strings.NewReader(pdf+"% other bytes\n%%EOF")); err == nil {
			t.Error("upload for an unknown employer succeeded")
		}
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM files`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 || countBlobs(t, dir) != before {
			t.Errorf("after refused uploads: %d rows, %d blobs (was %d)", n, countBlobs(t, dir), before)
		}
		if _, err := svc.Upload(ctx, actor.Actor{Name: "anon"}, "x.pdf", strings.NewReader(pdf)); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("anonymous upload: %v", err)
		}
	})
}

func TestSanitizeName(t *testing.T) {
	cases := map[string]string{
		"合同.pdf":                          "合同.pdf",
		"../../etc/passwd":                "passwd",
		`C:\temp\scan.JPG`:                "scan.JPG",
		"evil\u202Efdp.exe":               "evilfdp.exe",
		"a\x00b\r\nc.png":                 "abc.png",
		`"quoted"<x>|?.pdf`:               "quotedx.pdf",
		"  ...  ":                         "附件",
		"":                                "附件",
		strings.Repeat("长", 150) + ".pdf": strings.Repeat("长", 96) + ".pdf",
	}
	for in, want := range cases {
		if got := attachment.SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLookup: the names of the files a user may read, in the order asked, without reading the bytes
// and without an audit entry — with the same access rule as Open.
func TestLookup(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		blobs, err := blob.SealedFiles(t.TempDir(), testBlobKey)
		if err != nil {
			t.Fatal(err)
		}
		svc := attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs))
		own := insertEmployer(t, db, "91220101MA14U8XK2R", "220102")
		other := insertEmployer(t, db, "91350100M000100Y43", "220202")
		owner := actor.Actor{Role: actor.Employer, EmployerID: own}
		upload := func(a actor.Actor, name, content string) string {
			t.Helper()
			f, err := svc.Upload(ctx, a, name, strings.NewReader(content))
			if err != nil {
				t.Fatal(err)
			}
			return f.ID
		}
		a := upload(owner, "合同.pdf", pdf)
		b := upload(owner, "工资条.pdf", pdf+"% b\n%%EOF")
		theirs := upload(actor.Actor{Role: actor.Employer, EmployerID: other}, "他人.pdf", pdf+"% c\n%%EOF")
		notice := upload(actor.Actor{Role: actor.Admin, Office: "220000"}, "通知附件.pdf", pdf+"% d\n%%EOF")
		ask := []string{b, "doesnotexist", a, theirs, b, "", notice}

		names := func(files []attachment.File) []string {
			var out []string
			for _, f := range files {
				out = append(out, f.Name)
			}
			return out
		}
		cases := []struct {
			name string
			a    actor.Actor
			want []string
		}{
			{"owner", owner, []string{"工资条.pdf", "合同.pdf", "通知附件.pdf"}},
			{"another employer", actor.Actor{Role: actor.Employer, EmployerID: other}, []string{"他人.pdf", "通知附件.pdf"}},
			{"district reviewer of the owner", actor.Actor{UserID: 7, Role: actor.Reviewer, Office: "220102"}, []string{"工资条.pdf", "合同.pdf", "通知附件.pdf"}},
			{"province reviewer", actor.Actor{UserID: 8, Role: actor.Reviewer, Office: "220000"}, []string{"工资条.pdf", "合同.pdf", "他人.pdf", "通知附件.pdf"}},
			{"neighbouring district reviewer", actor.Actor{UserID: 9, Role: actor.Reviewer, Office: "220103"}, []string{"通知附件.pdf"}},
			{"nobody", actor.Actor{}, nil},
		}
		for _, c := range cases {
			got, err := svc.Lookup(ctx, c.a, ask)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if g := names(got); !slices.Equal(g, c.want) {
				t.Errorf("%s: %v, want %v", c.name, g, c.want)
			}
		}
		if got, err := svc.Lookup(ctx, owner, nil); err != nil || len(got) != 0 {
			t.Errorf("no ids: %v, %v", got, err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'file.download'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("look-ups wrote %d file.download entries, want 0", n)
		}
	})
}

// TestLookupMany: more ids than one query takes (the store splits the IN list) are all found.
func TestLookupMany(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		blobs, err := blob.SealedFiles(t.TempDir(), testBlobKey)
		if err != nil {
			t.Fatal(err)
		}
		svc := attachment.NewService(store.AttachmentRunner(db), blob.Attachments(blobs))
		owner := actor.Actor{Role: actor.Employer, EmployerID: insertEmployer(t, db, "91220101MA14U8XK2R", "220102")}
		var ids []string
		for i := range 250 {
			f, err := svc.Upload(ctx, owner, fmt.Sprintf("%03d.pdf", i), strings.NewReader(pdf))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, f.ID)
		}
		got, err := svc.Lookup(ctx, owner, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Fatalf("found %d of %d files", len(got), len(ids))
		}
		for i, f := range got {
			if f.ID != ids[i] || f.Name != fmt.Sprintf("%03d.pdf", i) {
				t.Fatalf("file %d: %+v", i, f)
			}
		}
	})
}

// testBlobKey seals the attachments of these tests.
var testBlobKey = bytes.Repeat([]byte{0x42}, 32)
