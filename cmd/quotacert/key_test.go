package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/blob"
	"quotacert/internal/datakey"
	"quotacert/internal/demo"
	"quotacert/internal/pii"
	"quotacert/internal/placement"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/testsrv"
	"quotacert/internal/web"
)

// site is one installation for the command tests: a data directory (not yet created) and a
// database, SQLite in the data directory or a PostgreSQL schema of its own.
type site struct {
	t    *testing.T
	dbf  dbFlags
	env  map[string]string
	demo string // the demo registry files

	minio  *testsrv.MinIO // the attachment store when it is a bucket
	bucket string
}

func newSite(t *testing.T, dialect string) *site {
	s := &site{t: t, dbf: dbFlags{data: filepath.Join(t.TempDir(), "data")}, env: map[string]string{},
		demo: filepath.Join("..", "..", "internal", "demo", "data")}
	if dialect == "postgres" {
		s.dbf.db = storetest.PGSchemaDSN(t)
	}
	return s
}

func (s *site) getenv(k string) string { return s.env[k] }

// run runs a command of the binary in this process with the site's --data and --db.
func (s *site) run(args ...string) (int, string) {
	var out, errb bytes.Buffer
	args = append(args, "--data", s.dbf.data)
	if s.dbf.db != "" {
		args = append(args, "--db", s.dbf.db)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, args, s.getenv, strings.NewReader(""), &out, &errb)
	return code, out.String() + errb.String()
}

// open opens the site as serve does and returns its services.
func (s *site) open() (*keyed, web.Deps) {
	s.t.Helper()
	k, err := s.dbf.openKeyed(context.Background(), s.getenv("QUOTACERT_KEY"), func(string) {})
	if err != nil {
		s.t.Fatalf("open: %v", err)
	}
	s.t.Cleanup(func() { k.Close() })
	blobs, err := s.dbf.openBlobs(s.getenv, k.key)
	if err != nil {
		s.t.Fatal(err)
	}
	deps, _, err := wire(slog.New(slog.DiscardHandler), serveConfig{db: s.dbf, getenv: s.getenv}, k, blobs)
	if err != nil {
		s.t.Fatal(err)
	}
	return k, deps
}

func (s *site) keyFile() []byte {
	b, err := os.ReadFile(pii.KeyPath(s.dbf.data))
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// every command that opens the database, as an operator runs them.
func (s *site) commands() [][]string {
	return [][]string{
		{"migrate"},
		{"import", "certificates", filepath.Join(s.demo, "certificates.csv")},
		{"staff", "add", "--username", "kx", "--password", "Demo@2026", "--role", "reviewer", "--office", "220000"},
		{"key", "rotate"},
		{"serve", "--addr", "127.0.0.1:0", "--captcha", "off"},
	}
}

// TestKeySafety reproduces the holes of issue 14 on both databases: without the key file the
// server made a new key and served (then placements answered 500, registry look-ups found nobody
// and the same person could be added twice), and a different valid QUOTACERT_KEY started without a
// word. Now every command refuses, names the key file and the backup instructions, and makes no key.
func TestKeySafety(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := newSite(t, dialect)
			if code, out := s.run("migrate"); code != 0 || !strings.Contains(out, "请立即备份") {
				t.Fatalf("first start: exit %d %s (a new database gets a new key, announced)", code, out)
			}
			checkModes(t, s, dialect)
			for _, kind := range []string{"certificates", "wages"} {
				if code, out := s.run("import", kind, filepath.Join(s.demo, kind+".csv")); code != 0 {
					t.Fatalf("import %s: %d %s", kind, code, out)
				}
			}
			original := s.keyFile()

			// The key file is lost: nothing runs and no key is made.
			if err := os.Remove(pii.KeyPath(s.dbf.data)); err != nil {
				t.Fatal(err)
			}
			for _, cmd := range s.commands() {
				code, out := s.run(cmd...)
				if code != 1 || !strings.Contains(out, "数据密钥缺失") || !strings.Contains(out, "The data key is missing") ||
					!strings.Contains(out, pii.KeyPath(s.dbf.data)) || !strings.Contains(out, "OPERATIONS.md") {
					t.Errorf("%v without the key file: exit %d\n%s", cmd[:2], code, out)
				}
				if _, err := os.Stat(pii.KeyPath(s.dbf.data)); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("%v made a new key file while the database holds sealed data", cmd[:2])
				}
			}

			// Another valid key, in the environment or in the file: refused with both check values.
			other := strings.Repeat("5a", pii.KeySize)
			s.env["QUOTACERT_KEY"] = other
			for _, cmd := range s.commands() {
				code, out := s.run(cmd...)
				if code != 1 || !strings.Contains(out, "数据密钥不匹配") || !strings.Contains(out, "does not match") ||
					!strings.Contains(out, "QUOTACERT_KEY") || !strings.Contains(out, "OPERATIONS.md") {
					t.Errorf("%v with another QUOTACERT_KEY: exit %d\n%s", cmd[:2], code, out)
				}
			}
			delete(s.env, "QUOTACERT_KEY")
			if err := os.WriteFile(pii.KeyPath(s.dbf.data), []byte(other+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out := s.run("migrate"); code != 1 || !strings.Contains(out, "数据密钥不匹配") || !strings.Contains(out, pii.KeyPath(s.dbf.data)) {
				t.Errorf("another key file: exit %d\n%s", code, out)
			}

			// The backup restored: everything works again, and the data reads as before.
			if err := os.WriteFile(pii.KeyPath(s.dbf.data), original, 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out := s.run("migrate"); code != 0 {
				t.Fatalf("restored key: exit %d %s", code, out)
			}
			_, deps := s.open()
			emp := actor.Actor{Role: actor.Employer, Name: "test-employer"}
			if _, err := deps.Placements.Registry(context.Background(), emp, "22010219880712035X"); err != nil {
				t.Errorf("registry look-up with the restored key: %v", err)
			}
		})
	}
}

// checkModes: the data directory, the key, the SQLite files and the attachment folder are the
// server account's alone.
func checkModes(t *testing.T, s *site, dialect string) {
	t.Helper()
	want := map[string]os.FileMode{s.dbf.data: 0o700, pii.KeyPath(s.dbf.data): 0o600}
	if dialect == "sqlite" {
		db := filepath.Join(s.dbf.data, "quotacert.db")
		// A connection left open keeps the WAL and the shared-memory file on disk.
		k, _ := s.open()
		for _, p := range []string{db, db + "-wal", db + "-shm"} {
			want[p] = 0o600
		}
		defer k.Close()
	}
	if _, err := s.dbf.openBlobs(s.getenv, bytes.Repeat([]byte{1}, 32)); err != nil {
		t.Fatal(err)
	}
	want[filepath.Join(s.dbf.data, "files")] = 0o700
	for p, mode := range want {
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", p, st.Mode().Perm(), mode)
		}
	}
}

// TestKeySafetyExistingDatabase: a database from before key checks records the key's check value
// at its first start once a sealed value proves the key right, and refuses a wrong key.
func TestKeySafetyExistingDatabase(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := newSite(t, dialect)
			if code, out := s.run("import", "certificates", filepath.Join(s.demo, "certificates.csv")); code != 0 {
				t.Fatal(out)
			}
			forget := func() {
				k, _ := s.open()
				if _, err := k.db.SQL().Exec(`DELETE FROM data_key`); err != nil {
					t.Fatal(err)
				}
				k.Close()
			}
			forget()
			s.env["QUOTACERT_KEY"] = strings.Repeat("5a", pii.KeySize)
			if code, out := s.run("migrate"); code != 1 || !strings.Contains(out, "数据密钥不匹配") {
				t.Fatalf("wrong key on an old database: exit %d %s", code, out)
			}
			delete(s.env, "QUOTACERT_KEY")
			if code, out := s.run("migrate"); code != 0 {
				t.Fatalf("right key on an old database: exit %d %s", code, out)
			}
			k, _ := s.open()
			st, err := k.keys.State(context.Background())
			if err != nil || st.Check != k.pii.CheckValue() {
				t.Fatalf("check value not recorded: %+v %v", st, err)
			}
		})
	}
}

// fixture fills a site through the real services: the demo (accounts, profile, affiliates with
// attachments, the registry's certificates, wages and insurance), a placement with a contract file
// and a historical certificate, and one attachment stored in clear as an earlier release did.
type fixture struct {
	emp           actor.Actor
	placement     int64
	files         map[string][]byte // file id → content
	contractFiles []string
	result        placement.View
	idHash        string
}

func fill(t *testing.T, s *site) fixture {
	ctx := context.Background()
	k, deps := s.open()
	acfg := account.DefaultConfig()
	acfg.Argon2 = account.Argon2Params{MemoryKiB: 512, Time: 1, Threads: 1} // cheap hashing for tests
	acfg.Secrets = k.pii
	if err := loadDemo(ctx, acfg, k.db, deps, io.Discard); err != nil {
		t.Fatal(err)
	}
	// A reviewer with a second factor: its secret is sealed too.
	accounts, err := account.NewService(acfg, store.AccountRunner(k.db), k.db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.CreateStaff(ctx, actor.System("test"), account.StaffInput{Username: "rotate.mfa", Password: "Quota#2026a",
		Role: actor.Reviewer, Office: "220100", TOTPSecret: testTOTPSecret}); err != nil {
		t.Fatal(err)
	}
	f := fixture{emp: demoEmployer(t, deps), files: map[string][]byte{}}
	contract := testPDF("劳动合同 刘喆")
	up, err := deps.Files.Upload(ctx, f.emp, "劳动合同.pdf", bytes.NewReader(contract))
	if err != nil {
		t.Fatal(err)
	}
	f.files[up.ID] = contract
	f.contractFiles = []string{up.ID}
	scan := testPDF("残疾证 2015")
	cert, err := deps.Files.Upload(ctx, f.emp, "残疾证.pdf", bytes.NewReader(scan))
	if err != nil {
		t.Fatal(err)
	}
	f.files[cert.ID] = scan
	f.placement, err = deps.Placements.Create(ctx, f.emp, demo.DemoYear, placement.Input{IDNumber: "22010219880712035X", Name: "刘喆",
		Category: 4, Level: 3, Contracts: []placement.ContractInput{{Start: "2024-01-01", FileIDs: []string{up.ID}}},
		Certificates: []placement.CertificateInput{{Number: "22010219880712035X42", Issued: "2015-01-01", ValidUntil: "2019-03-17",
			FileIDs: []string{cert.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	if f.result, err = deps.Placements.Get(ctx, f.emp, f.placement); err != nil {
		t.Fatal(err)
	}
	// An attachment from before sealing: its bytes in clear under their SHA-256.
	plain := s.plain()
	old := testPDF("旧版本的附件")
	info, err := plain.Put(ctx, bytes.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.SQL().Exec(`INSERT INTO files (id, employer_id, name, size, blob, content_type, created_at)
        VALUES ('oldfile', $1, '旧.pdf', $2, $3, $4, $5)`, f.emp.EmployerID, info.Size, info.Name, info.ContentType, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	f.files["oldfile"] = old
	if _, err := k.db.SQL().Exec(`UPDATE data_key SET files_sealed = FALSE`); err != nil { // as after an upgrade
		t.Fatal(err)
	}
	if err := k.db.SQL().QueryRow(`SELECT id_hash FROM persons`).Scan(&f.idHash); err != nil {
		t.Fatal(err)
	}
	k.Close()
	return f
}

// testTOTPSecret is the second factor of the fixture's reviewer.
const testTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// verify checks, with the site's current key, that everything the fixture put in reads as before.
func (f fixture) verify(t *testing.T, s *site) *keyed {
	t.Helper()
	ctx := context.Background()
	k, deps := s.open()
	blobs, err := s.dbf.openBlobs(s.getenv, k.key)
	if err != nil {
		t.Fatal(err)
	}
	if err := sealAttachments(ctx, slog.New(slog.DiscardHandler), k, blobs); err != nil { // as serve starts
		t.Fatal(err)
	}
	v, err := deps.Placements.Get(ctx, f.emp, f.placement)
	if err != nil {
		t.Fatalf("placement after rotation: %v", err)
	}
	if v.Person.IDNumber != "22010219880712035X" || v.Person.BirthDate != f.result.Person.BirthDate ||
		v.Result.WeightMonths != f.result.Result.WeightMonths || len(v.Certificates) != 1 ||
		v.Certificates[0].Number != "22010219880712035X42" {
		t.Errorf("placement reads differently: %+v %d %v", v.Person, v.Result.WeightMonths, v.Certificates)
	}
	for i := range v.Months {
		if v.Months[i].Passed != f.result.Months[i].Passed || v.Months[i].Wage != f.result.Months[i].Wage {
			t.Errorf("month %d reads differently", i)
		}
	}
	if _, err := deps.Placements.Registry(ctx, f.emp, "22010219880712035X"); err != nil {
		t.Errorf("registry look-up: %v", err)
	}
	_, err = deps.Placements.Create(ctx, f.emp, demo.DemoYear, placement.Input{IDNumber: "22010219880712035X", Name: "刘喆",
		Category: 4, Level: 3, Contracts: []placement.ContractInput{{Start: "2024-01-01", FileIDs: f.contractFiles}}})
	if apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("the same person again: %v %v, want a conflict (the keyed hash must still find the person)", err, apperr.As(err).Fields)
	}
	for id, want := range f.files {
		_, rc, err := deps.Files.Open(ctx, f.emp, id)
		if err != nil {
			t.Errorf("attachment %s: %v", id, err)
			continue
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("attachment %s reads differently: %v", id, err)
		}
	}
	return k
}

// plain opens the site's attachment store unsealed: the bytes as they lie in it.
func (s *site) plain() blob.Store {
	s.t.Helper()
	var st blob.Store
	var err error
	if s.dbf.blob == "" {
		st, err = blob.OpenFiles(filepath.Join(s.dbf.data, "files"))
	} else {
		var cfg blob.S3Config
		if cfg, err = blob.ParseS3URL(s.dbf.blob, s.getenv); err == nil {
			st, err = blob.OpenS3(cfg)
		}
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// blobsOnDisk lists the blobs the site's store holds (files, or the objects of its bucket).
func blobsOnDisk(t *testing.T, s *site) []string {
	var out []string
	if s.minio != nil {
		for _, k := range s.minio.Objects(t, s.bucket) {
			if !strings.HasPrefix(k, "tmp/") {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	root := filepath.Join(s.dbf.data, "files")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(p)) != "tmp" {
			out = append(out, d.Name())
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func blobNames(t *testing.T, k *keyed) []string {
	rows, err := k.db.SQL().Query(`SELECT DISTINCT blob FROM files ORDER BY blob`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// TestKeyRotate rotates a site full of data on both databases, and interrupts the rotation at
// each step where a crash could stop it: a rerun finishes the work, and nothing is lost.
func TestKeyRotate(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := newSite(t, dialect)
			f := fill(t, s)
			oldKey := s.keyFile()

			code, out := s.run("key", "rotate")
			if code != 0 || !strings.Contains(out, "the key rotation is complete") {
				t.Fatalf("key rotate: exit %d\n%s", code, out)
			}
			t.Log(out)
			newKey := s.keyFile()
			if bytes.Equal(oldKey, newKey) {
				t.Fatal("the key file did not change")
			}
			backups, _ := filepath.Glob(filepath.Join(s.dbf.data, "quotacert.key.*.bak"))
			if len(backups) != 1 {
				t.Fatalf("backups %v", backups)
			}
			if b, _ := os.ReadFile(backups[0]); !bytes.Equal(b, oldKey) {
				t.Fatal("the backup does not hold the old key")
			}
			k := f.verify(t, s)
			var hash string
			k.db.SQL().QueryRow(`SELECT id_hash FROM persons`).Scan(&hash)
			if hash == f.idHash {
				t.Error("the person's keyed hash was not recomputed")
			}
			if got, want := blobsOnDisk(t, s), blobNames(t, k); !slices.Equal(got, want) {
				t.Errorf("blobs on disk %v, want exactly those the rows name %v (old copies removed)", got, want)
			}
			var unmatched int
			k.db.SQL().QueryRow(`SELECT COUNT(*) FROM registry_wages w WHERE NOT EXISTS
                (SELECT 1 FROM registry_persons p WHERE p.person_hash = w.person_hash)`).Scan(&unmatched)
			if unmatched != 0 {
				t.Errorf("%d wage rows were not re-keyed", unmatched)
			}
			var sealed []byte
			if err := k.db.SQL().QueryRow(`SELECT totp_sealed FROM users WHERE username = 'rotate.mfa'`).Scan(&sealed); err != nil {
				t.Fatal(err)
			}
			if secret, err := k.pii.Open(sealed); err != nil || secret != testTOTPSecret {
				t.Errorf("the second-factor secret under the new key: %q, %v", secret, err)
			}
			k.Close()
			raw, _ := base64Key(oldKey)
			s.env["QUOTACERT_KEY"] = raw
			if code, out := s.run("migrate"); code != 1 || !strings.Contains(out, "数据密钥不匹配") {
				t.Errorf("the old key after rotation: exit %d %s", code, out)
			}
			delete(s.env, "QUOTACERT_KEY")
		})
	}
}

// TestKeyRotateObjectStorage rotates a site whose attachments are in an S3 bucket (a real MinIO):
// the objects are re-sealed in place, the old ones removed, and the site reads as before.
func TestKeyRotateObjectStorage(t *testing.T) {
	m := testsrv.StartMinIO(t)
	s := newSite(t, "sqlite")
	s.minio, s.bucket = m, m.NewBucket(t)
	s.dbf.blob = m.URL(s.bucket)
	s.env["QUOTACERT_BLOB"] = s.dbf.blob
	s.env["QUOTACERT_S3_ACCESS_KEY"], s.env["QUOTACERT_S3_SECRET_KEY"] = m.AccessKey, m.SecretKey
	f := fill(t, s)
	before := blobsOnDisk(t, s)
	if code, out := s.run("key", "rotate"); code != 0 || !strings.Contains(out, "the key rotation is complete") {
		t.Fatalf("key rotate: exit %d\n%s", code, out)
	}
	k := f.verify(t, s)
	defer k.Close()
	after := blobsOnDisk(t, s)
	if want := blobNames(t, k); !slices.Equal(after, want) {
		t.Errorf("objects %v, want exactly those the rows name %v", after, want)
	}
	for _, name := range before {
		if slices.Contains(after, name) {
			t.Errorf("old object %s is still in the bucket", name)
		}
	}
}

func base64Key(file []byte) (string, error) {
	k, err := pii.ReadKey(strings.TrimSpace(string(file)), "")
	return hex.EncodeToString(k), err
}

// failingMover stops a rotation after n attachments were copied, as a crash would.
type failingMover struct {
	datakey.Blobs
	n int
}

func (m *failingMover) Move(ctx context.Context, name string) (string, error) {
	if m.n == 0 {
		return "", errors.New("simulated crash while copying attachments")
	}
	m.n--
	return m.Blobs.Move(ctx, name)
}

func TestKeyRotateInterrupted(t *testing.T) {
	crash := errors.New("simulated crash")
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := newSite(t, dialect)
			f := fill(t, s)
			oldKey := s.keyFile()
			ctx := context.Background()

			// 1. While the attachments are copied: the database is untouched, the old key still
			// works, and the rerun resumes with the same pending key.
			err := rotateKey(ctx, s.dbf, s.getenv, false, io.Discard, rotateSteps{
				blobs: func(b datakey.Blobs) datakey.Blobs { return &failingMover{Blobs: b, n: 1} }})
			if err == nil || !strings.Contains(err.Error(), "resume") {
				t.Fatalf("interrupted copy: %v", err)
			}
			pending, err := os.ReadFile(pii.NextKeyPath(s.dbf.data))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.keyFile(), oldKey) {
				t.Fatal("the key file changed before the database was re-sealed")
			}
			f.verify(t, s).Close()

			// 2. After the commit, before the key file is replaced: commands refuse with the
			// interrupted rotation's message; the rerun installs the pending key.
			err = rotateKey(ctx, s.dbf, s.getenv, false, io.Discard, rotateSteps{afterCommit: func() error { return crash }})
			if !errors.Is(err, crash) {
				t.Fatalf("afterCommit: %v", err)
			}
			if code, out := s.run("migrate"); code != 1 || !strings.Contains(out, "密钥轮换未完成") || !strings.Contains(out, "key rotate") {
				t.Errorf("after an interrupted rotation: exit %d %s", code, out)
			}
			var out bytes.Buffer
			if err := rotateKey(ctx, s.dbf, s.getenv, false, &out, rotateSteps{afterKey: func() error { return crash }}); !errors.Is(err, crash) {
				t.Fatalf("finishing: %v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "finishing it") || !bytes.Equal(s.keyFile(), pending) {
				t.Fatalf("the rerun did not install the pending key of the first attempt:\n%s", out.String())
			}

			// 3. After the key file is replaced, before the old copies are removed: the data reads
			// with the new key; the rerun removes the old copies and rotates nothing more.
			k, _ := s.open()
			st, _ := k.keys.State(ctx)
			if st.Retired == 0 {
				t.Fatal("no old copies were left to remove")
			}
			k.Close()
			code, msg := s.run("key", "rotate")
			if code != 0 || !strings.Contains(msg, "the key rotation is complete") || !bytes.Equal(s.keyFile(), pending) {
				t.Fatalf("final rerun: exit %d %s", code, msg)
			}
			k = f.verify(t, s)
			if got, want := blobsOnDisk(t, s), blobNames(t, k); !slices.Equal(got, want) {
				t.Errorf("blobs on disk %v, want %v", got, want)
			}
		})
	}
}

// TestSealClearAttachmentsAtStart: the attachments an earlier release stored in clear are sealed
// once when the server starts, their clear copies removed.
func TestSealClearAttachmentsAtStart(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := newSite(t, dialect)
			f := fill(t, s)
			k, _ := s.open()
			var clear string
			k.db.SQL().QueryRow(`SELECT blob FROM files WHERE id = 'oldfile'`).Scan(&clear)
			blobs, err := s.dbf.openBlobs(s.getenv, k.key)
			if err != nil {
				t.Fatal(err)
			}
			if err := sealAttachments(context.Background(), slog.New(slog.DiscardHandler), k, blobs); err != nil {
				t.Fatal(err)
			}
			st, _ := k.keys.State(context.Background())
			var now string
			k.db.SQL().QueryRow(`SELECT blob FROM files WHERE id = 'oldfile'`).Scan(&now)
			if !st.FilesSealed || st.Retired != 0 || now == clear {
				t.Fatalf("after sealing: %+v, blob %s (was %s)", st, now, clear)
			}
			if got, want := blobsOnDisk(t, s), blobNames(t, k); !slices.Equal(got, want) {
				t.Errorf("blobs on disk %v, want %v (the clear copy removed)", got, want)
			}
			for _, name := range blobsOnDisk(t, s) {
				raw, _ := os.ReadFile(filepath.Join(s.dbf.data, "files", name[:2], name))
				if bytes.Contains(raw, []byte("%PDF")) {
					t.Errorf("blob %s lies on disk in clear", name)
				}
			}
			k.Close()
			f.verify(t, s).Close()
		})
	}
}

// demoEmployer is the demo employer as the services see it signed in.
func demoEmployer(t *testing.T, deps web.Deps) actor.Actor {
	t.Helper()
	users, err := deps.Accounts.ListUsers(context.Background(), actor.Actor{Name: "system:test", Role: actor.Admin, Office: "220000"}, demo.EmployerCode)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == demo.EmployerCode {
			return actor.Actor{UserID: u.ID, Name: u.Username, Role: u.Role, EmployerID: u.EmployerID}
		}
	}
	t.Fatal("demo employer not found")
	return actor.Actor{}
}

// testPDF is a small valid PDF with a line of text.
func testPDF(text string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}
