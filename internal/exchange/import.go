package exchange

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/exchange/tabular"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
	"quotacert/internal/scope"
)

// MaxListedErrors caps the bad rows kept in memory, shown and stored for one file; beyond it only
// the count grows, so a file that is wrong throughout cannot exhaust memory.
const MaxListedErrors = 1000

// Options adjust one import.
type Options struct {
	// Progress, when set, is called after every batch with the number of data rows read so far
	// (the command line draws its progress line with it).
	Progress func(rows int)
}

// Result is the outcome of one file.
type Result struct {
	ImportID   int64 // the history entry (accepted or rejected attempt)
	Kind       Kind
	FileName   string
	SHA256     string
	Rows       int        // data rows read; all of them were imported when Accepted
	Errors     []RowError // the first MaxListedErrors bad rows, in file order
	ErrorCount int        // all bad rows
}

// Accepted reports whether the file was imported.
func (r Result) Accepted() bool { return r.ErrorCount == 0 }

// errRejected rolls the import transaction back when any row was bad.
var errRejected = errors.New("exchange: file has bad rows")

// requireProvince lets the root office's admins (on the web) and the command line (the system
// actor, run by whoever operates the server and can reach the database anyway) import and read the
// history: the registry's certificates, wages and insurance and the minimum wages are province-wide
// data (package scope). A refusal is audited as an attempt at action.
func (s *Service) requireProvince(ctx context.Context, a actor.Actor, action, what string) error {
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		if !sc.Province() {
			return sc.ProvinceOnly(what)
		}
		return nil
	})
	return scope.Audited(ctx, s.run, a, action, "import", "", err)
}

// ImportFile imports the file at path; the demo loader and the command line use it.
func (s *Service) ImportFile(ctx context.Context, a actor.Actor, kind Kind, path string, opt Options) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, apperr.Wrap(apperr.Invalid, "无法打开文件", fmt.Errorf("open %s: %w", path, err))
	}
	defer f.Close()
	return s.Import(ctx, a, kind, filepath.Base(path), f, opt)
}

// Import reads a data-exchange file of the given kind from r and writes it all-or-nothing: rows are
// validated and upserted batch by batch inside one transaction as they stream in, and if any row
// was bad the transaction is rolled back, the attempt is recorded with its errors, and an Invalid
// error is returned together with the Result listing them. The format comes from name's extension.
func (s *Service) Import(ctx context.Context, a actor.Actor, kind Kind, name string, r io.Reader, opt Options) (Result, error) {
	if err := s.requireProvince(ctx, a, "exchange.import", "数据交换文件的导入"); err != nil {
		return Result{}, err
	}
	if _, err := ParseKind(string(kind)); err != nil {
		return Result{}, apperr.New(apperr.Invalid, err.Error())
	}
	name = cleanFileName(name)
	format, err := tabular.FormatOf(name)
	if err != nil {
		return Result{}, apperr.New(apperr.Invalid, err.Error())
	}
	hash := sha256.New()
	src := io.TeeReader(r, hash)
	var res Result
	err = s.run(ctx, func(tx Tx) error {
		res = Result{Kind: kind, FileName: name}
		now := tx.Now()
		id, err := tx.CreateImport(ctx, Import{Kind: kind, FileName: name, Actor: a.Name, CreatedAt: now, Status: StatusAccepted})
		if err != nil {
			return err
		}
		res.ImportID = id
		rd, err := tabular.Open(format, src)
		var se *tabular.SyntaxError
		if errors.As(err, &se) {
			res.add(RowError{Row: se.Row, Reason: se.Reason})
			return errRejected
		}
		if err != nil {
			return err
		}
		defer rd.Close()
		in := importer{s: s, tx: tx, kind: kind, id: id, res: &res, opt: opt,
			today: idnum.Date(rules.ChinaDate(now))}
		if err := in.readAll(ctx, rd); err != nil {
			return err
		}
		if err := in.finish(ctx); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, src); err != nil { // the rest of the file, for its hash
			return fmt.Errorf("read file: %w", err)
		}
		res.SHA256 = hex.EncodeToString(hash.Sum(nil))
		if res.ErrorCount > 0 {
			return errRejected
		}
		if err := tx.FinishImport(ctx, id, res.SHA256, res.Rows); err != nil {
			return err
		}
		e := audit.For(a, "exchange.import", "import", strconv.FormatInt(id, 10))
		e.Detail = fmt.Sprintf("kind=%s rows=%d sha256=%s", kind, res.Rows, res.SHA256)
		return tx.AppendAudit(ctx, e)
	})
	if errors.Is(err, errRejected) {
		if res.SHA256 == "" {
			res.SHA256 = hex.EncodeToString(hash.Sum(nil))
		}
		if err := s.recordRejection(ctx, a, &res); err != nil {
			return res, err
		}
		return res, apperr.New(apperr.Invalid, fmt.Sprintf("文件中有 %d 处错误，整个文件未导入，请修改后重新导入", res.ErrorCount))
	}
	if err != nil {
		res.ImportID = 0
		return res, fmt.Errorf("import %s %s: %w", kind, name, err)
	}
	return res, nil
}

// recordRejection keeps a rejected attempt in the history with its listed errors, in a
// transaction of its own (the import's was rolled back).
func (s *Service) recordRejection(ctx context.Context, a actor.Actor, res *Result) error {
	return s.run(ctx, func(tx Tx) error {
		id, err := tx.CreateImport(ctx, Import{Kind: res.Kind, FileName: res.FileName, SHA256: res.SHA256,
			Rows: res.Rows, Actor: a.Name, CreatedAt: tx.Now(), Status: StatusRejected, ErrorCount: res.ErrorCount})
		if err != nil {
			return err
		}
		res.ImportID = id
		if err := tx.RecordImportErrors(ctx, id, res.Errors); err != nil {
			return err
		}
		e := audit.For(a, "exchange.import", "import", strconv.FormatInt(id, 10))
		e.Outcome = audit.Failure
		e.Detail = fmt.Sprintf("kind=%s rejected errors=%d sha256=%s", res.Kind, res.ErrorCount, res.SHA256)
		return tx.AppendAudit(ctx, e)
	})
}

func (r *Result) add(e RowError) {
	r.ErrorCount++
	if len(r.Errors) < MaxListedErrors {
		r.Errors = append(r.Errors, e)
	}
}

// cleanFileName keeps the base name of an upload, valid UTF-8 and of a sane length.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.ToValidUTF8(name, "?")
	if utf8.RuneCountInString(name) > 200 {
		r := []rune(name)
		name = string(r[len(r)-200:])
	}
	return name
}

// importer is the state of one import while its rows stream through.
type importer struct {
	s     *Service
	tx    Tx
	kind  Kind
	id    int64
	res   *Result
	opt   Options
	today idnum.Date

	header Header
	batch  []Row
	inBat  map[string]int // natural key → line, within the current batch
	// minWageSeen holds every key of a minwage file: minimum_wages has no import column to detect
	// repeats across batches, and such files have a few hundred rows at most.
	minWageSeen map[string]int

	lastID, lastHash string // wage files list a person's months together: hash each ID once

	staged  []StagedPayment // reused by every batch of a payments file (writer goroutine)
	persons []PersonRecord  // the batch's persons, for RecordPersons (writer goroutine)
	pipe    chan []Row      // full batches to the writer goroutine (pipelined), nil otherwise
	free    chan []Row      // emptied batches back from it, for reuse
}

// payment reports the kinds written through the staged path (StagePayments, MergePayments).
func (k Kind) payment() bool { return k == Wages || k == Social || k == Medical }

// finish ends a payments file once every row has been read: the store reports the rows repeating
// an earlier row's key and, if the file had no bad row at all, writes the staged records.
func (in *importer) finish(ctx context.Context) error {
	if !in.kind.payment() {
		return nil
	}
	dups, total, err := in.tx.MergePayments(ctx, in.kind, in.id, in.res.ErrorCount == 0, MaxListedErrors)
	if err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	errs := make([]RowError, 0, len(in.res.Errors)+len(dups))
	errs = append(errs, in.res.Errors...)
	for _, d := range dups {
		errs = append(errs, in.duplicate(d.Line, d.First))
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	in.res.Errors = errs[:min(len(errs), MaxListedErrors)]
	in.res.ErrorCount += total
	return nil
}

func (in *importer) readAll(ctx context.Context, rd tabular.Reader) error {
	var se *tabular.SyntaxError
	line, fields, err := rd.Next()
	switch {
	case errors.Is(err, io.EOF):
		in.res.add(RowError{Row: 1, Reason: "文件为空：缺少表头行"})
		return nil
	case errors.As(err, &se):
		in.res.add(RowError{Row: se.Row, Reason: se.Reason})
		return nil
	case err != nil:
		return err
	}
	var herrs []RowError
	in.header, herrs = ParseHeader(in.kind, fields)
	if len(herrs) > 0 {
		for _, e := range herrs {
			e.Row = line
			in.res.add(e)
		}
		return nil // rows cannot be read without their columns
	}
	if in.kind.payment() {
		err = in.pipelined(ctx, func(ctx context.Context) error { return in.readRows(ctx, rd) })
	} else {
		in.inBat = make(map[string]int, in.s.batchSize)
		if in.kind == MinWage {
			in.minWageSeen = map[string]int{}
		}
		err = in.readRows(ctx, rd)
	}
	if err == nil && in.res.Rows == 0 && in.res.ErrorCount == 0 {
		in.res.add(RowError{Row: 0, Reason: "文件没有数据行"})
	}
	return err
}

// pipelined runs read (which parses and validates rows and hands full batches to flush) while
// another goroutine writes the batches to the store: on two cores parsing one batch overlaps
// writing the previous one (SQLite's work is in this process; PostgreSQL's COPY waits on the
// server). At most three batches exist at a time: being filled, queued, being written. Only the
// writer uses the transaction while read runs; a write error cancels the reading.
func (in *importer) pipelined(parent context.Context, read func(context.Context) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	pipe, free := make(chan []Row, 1), make(chan []Row, 3)
	in.pipe, in.free = pipe, free
	werr := make(chan error, 1)
	go func() {
		var err error
		for b := range pipe {
			if err == nil {
				if err = in.stage(ctx, b); err != nil {
					cancel()
				}
			}
			free <- b[:0]
		}
		werr <- err
	}()
	rerr := read(ctx)
	close(pipe)
	in.pipe, in.free = nil, nil
	if err := <-werr; err != nil {
		// A cancelled import is reported as such, whatever the driver made of the interrupted
		// write (pgx closes the connection under a cancelled COPY).
		return errors.Join(parent.Err(), err)
	}
	return rerr
}

// stage writes one batch of payment rows (writer goroutine of pipelined), and the sealed ID number
// of each person in it: files list a person's months together, so a person is sealed about once
// per run of rows rather than once per row (the store ignores persons it already has).
func (in *importer) stage(ctx context.Context, batch []Row) error {
	in.staged, in.persons = in.staged[:0], in.persons[:0]
	prev := ""
	for _, r := range batch {
		hash := in.personHash(r.IDNumber)
		if r.IDNumber != prev {
			in.persons = append(in.persons, PersonRecord{Hash: hash, Sealed: in.s.pii.Seal(r.IDNumber)})
			prev = r.IDNumber
		}
		in.staged = append(in.staged, StagedPayment{Line: r.Line, PaymentRecord: PaymentRecord{
			PersonHash: hash, CreditCode: r.CreditCode, Month: r.Month, AmountFen: r.AmountFen}})
	}
	if err := in.tx.StagePayments(ctx, in.staged); err != nil {
		return err
	}
	return in.tx.RecordPersons(ctx, in.persons)
}

// readRows reads the data rows after the header.
func (in *importer) readRows(ctx context.Context, rd tabular.Reader) error {
	var se *tabular.SyntaxError
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, fields, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &se) {
			in.res.Rows++
			in.res.add(RowError{Row: se.Row, Reason: se.Reason})
			continue
		}
		if err != nil {
			return err
		}
		in.res.Rows++
		if in.marked(line, rd.Marks()) {
			continue
		}
		row, errs := ParseRow(in.header, line, fields, in.today)
		if len(errs) > 0 {
			for _, e := range errs {
				in.res.add(e)
			}
			continue
		}
		if in.kind.payment() {
			// Repeated keys are found by the store when the file has been staged (MergePayments).
			in.batch = append(in.batch, row)
			if len(in.batch) >= in.s.batchSize {
				if err := in.flush(ctx); err != nil {
					return err
				}
			}
			continue
		}
		key := row.Key(in.kind)
		if first, dup := in.inBat[key]; dup {
			in.res.add(in.duplicate(line, first))
			continue
		}
		if in.minWageSeen != nil {
			if first, dup := in.minWageSeen[key]; dup {
				in.res.add(in.duplicate(line, first))
				continue
			}
			in.minWageSeen[key] = line
		}
		in.inBat[key] = line
		in.batch = append(in.batch, row)
		if len(in.batch) >= in.s.batchSize {
			if err := in.flush(ctx); err != nil {
				return err
			}
		}
	}
	return in.flush(ctx)
}

// marked reports the marked cells of a row in the columns the kind reads, each as an error:
// a formula's value is computed by the spreadsheet (<f>1+1</f><v>2</v> would be the amount 2.00),
// not data the provincial platform delivered; a control character is what no field may hold.
func (in *importer) marked(line int, m tabular.Marks) bool {
	bad := false
	for _, c := range m.Illegal {
		// Even in a column the kind does not read: the rest of the sheet cannot be read past it.
		if field, ok := in.header.FieldAt(c); ok {
			in.res.add(RowError{Row: line, Field: field, Reason: "含有非法字符"})
		} else {
			in.res.add(RowError{Row: line, Reason: "第 " + tabular.ColumnName(c) + " 列含有非法字符"})
		}
		bad = true
	}
	for _, c := range m.Formulas {
		if field, ok := in.header.FieldAt(c); ok {
			in.res.add(RowError{Row: line, Field: field, Reason: "单元格是公式，请复制后“选择性粘贴为数值”再导入"})
			bad = true
		}
	}
	return bad
}

// keyFields names the natural key's columns in duplicate-row errors.
func (k Kind) keyFields() string {
	switch k {
	case Certificates:
		return "certificateNumber"
	case MinWage:
		return "region+from"
	}
	return "idNumber+creditCode+month"
}

func (in *importer) duplicate(line, first int) RowError {
	reason := "与文件中前面的行重复（同一记录出现多次）"
	if first > 0 {
		reason = fmt.Sprintf("与第 %d 行重复（同一记录出现多次）", first)
	}
	return RowError{Row: line, Field: in.kind.keyFields(), Reason: reason}
}

func (in *importer) personHash(id string) string {
	if id != in.lastID {
		in.lastID, in.lastHash = id, in.s.pii.Hash(id)
	}
	return in.lastHash
}

// flush writes the batch. Rows whose key an earlier batch of this file already wrote come back as
// repeated and become errors (which reject the file).
func (in *importer) flush(ctx context.Context) error {
	if len(in.batch) == 0 {
		return nil
	}
	if in.pipe != nil { // a payments file: the writer goroutine of pipelined stages it
		in.pipe <- in.batch
		select {
		case b := <-in.free:
			in.batch = b
		default:
			in.batch = make([]Row, 0, in.s.batchSize)
		}
		if in.opt.Progress != nil {
			in.opt.Progress(in.res.Rows)
		}
		return nil
	}
	var repeated []int
	var err error
	switch in.kind {
	case Certificates:
		recs := make([]CertificateRecord, len(in.batch))
		for i, r := range in.batch {
			recs[i] = CertificateRecord{CertHash: in.s.pii.Hash(r.CertNumber), CertSealed: in.s.pii.Seal(r.CertNumber),
				CertMasked: MaskCertificateNumber(r.Kind, r.CertNumber), PersonHash: in.personHash(r.IDNumber),
				PersonSealed: in.s.pii.Seal(r.IDNumber), Name: r.Name, Gender: r.Gender, Kind: r.Kind,
				Category: r.Category, Level: r.Level, Grade: r.Grade, Issued: r.Issued, ValidUntil: r.ValidUntil,
				Status: r.Status}
		}
		repeated, err = in.tx.UpsertCertificates(ctx, in.id, recs)
	case MinWage:
		recs := make([]MinimumWageRecord, len(in.batch))
		for i, r := range in.batch {
			recs[i] = MinimumWageRecord{Region: r.Region, From: r.From, AmountFen: r.AmountFen}
		}
		err = in.tx.UpsertMinimumWages(ctx, recs)
	}
	if err != nil {
		return err
	}
	for _, i := range repeated {
		in.res.add(in.duplicate(in.batch[i].Line, 0))
	}
	if len(repeated) > 0 {
		sortErrors(in.res.Errors)
	}
	in.batch = in.batch[:0]
	clear(in.inBat)
	if in.opt.Progress != nil {
		in.opt.Progress(in.res.Rows)
	}
	return nil
}

// sortErrors keeps the listed errors in file order after duplicates found at a flush were added
// behind later rows' errors (insertion sort: the list is nearly sorted and capped).
func sortErrors(es []RowError) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Row < es[j-1].Row; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}
