// Package exchange is the data-exchange domain: the official records the monthly checks read
// (registry certificates, wages, pension and medical insurance payments, minimum wages) arrive as
// batch files from the provincial data-sharing platform (CONTRACT.md "Data-exchange files").
//
// It parses and validates each row with the same identifier rules as the engine (idnum, rules),
// imports a file all-or-nothing in one transaction, keeps an import history, and offers the Source
// interface through which the checks read the records, so that a live adapter to a provincial
// service can replace the database later without touching the rules.
//
// Identifiers are protected as the schema requires: ID and certificate numbers are stored sealed,
// looked up by keyed hash and shown masked. No message produced here ever contains a row's value,
// only its row number and column, so error reports and logs carry no ID number.
package exchange

import (
	"context"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/audit"
	"quotacert/internal/rules"
	"quotacert/internal/scope"
)

// Kind is the kind of a data-exchange file, the first argument of `quotacert import`.
type Kind string

// The kinds of CONTRACT.md.
const (
	Certificates Kind = "certificates"
	Wages        Kind = "wages"
	Social       Kind = "social"
	Medical      Kind = "medical"
	MinWage      Kind = "minwage"
)

// Kinds lists every kind, in the order pages show them.
func Kinds() []Kind { return []Kind{Certificates, Wages, Social, Medical, MinWage} }

// ParseKind checks a kind named by a user.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("未知的数据类型 %q（应为 certificates、wages、social、medical 或 minwage）", s)
}

// Label is the kind's Chinese name for pages.
func (k Kind) Label() string {
	switch k {
	case Certificates:
		return "残疾人证（人口基础库）"
	case Wages:
		return "工资发放记录"
	case Social:
		return "养老保险缴费记录"
	case Medical:
		return "医疗保险缴费记录"
	case MinWage:
		return "最低工资标准"
	}
	return string(k)
}

// Columns are the header names of a kind's file, exactly as CONTRACT.md lists them.
func (k Kind) Columns() []string {
	switch k {
	case Certificates:
		return []string{"idNumber", "name", "gender", "certificateNumber", "category", "level", "issued", "validUntil", "status"}
	case Wages:
		return []string{"idNumber", "creditCode", "month", "amount"}
	case Social, Medical:
		return []string{"idNumber", "creditCode", "month"}
	case MinWage:
		return []string{"region", "from", "amount"}
	}
	return nil
}

// OptionalColumns are header names a kind's file may carry beside Columns: a certificates file
// says with `kind` which rows are 残疾军人证 (CONTRACT.md), and may give their grade in `grade`
// instead of `level`.
func (k Kind) OptionalColumns() []string {
	if k == Certificates {
		return []string{"kind", "grade"}
	}
	return nil
}

// RowError is one bad row (or header) of a file: printed as `row N: field: reason` (CONTRACT.md).
// Reason is Chinese and never contains the field's value, which may be an ID number.
type RowError struct {
	Row    int
	Field  string
	Reason string
}

func (e RowError) String() string {
	if e.Row == 0 { // the file as a whole (not a workbook, no sheet)
		return e.Reason
	}
	if e.Field == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d: %s: %s", e.Row, e.Field, e.Reason)
}

// Import is one entry of the import history: an accepted file, or a rejected attempt (kept so
// that an admin can download its errors and see who tried what).
type Import struct {
	ID         int64
	Kind       Kind
	FileName   string
	SHA256     string
	Rows       int // rows written (accepted) or data rows read (rejected)
	Actor      string
	CreatedAt  time.Time
	Status     string // "accepted" or "rejected"
	ErrorCount int
}

// Import statuses.
const (
	StatusAccepted = "accepted"
	StatusRejected = "rejected"
)

// Accepted reports whether the file was imported.
func (i Import) Accepted() bool { return i.Status == StatusAccepted }

// CertificateRecord is a registry certificate as stored: identifiers sealed and hashed. Its key is
// (PersonHash, Kind, CertHash): a 残疾人证 number names its holder, a 残疾军人证 number is free text.
type CertificateRecord struct {
	CertHash     string
	CertSealed   []byte
	CertMasked   string
	PersonHash   string
	PersonSealed []byte
	Name         string
	Gender       string
	Kind         rules.CertificateKind
	Category     int    // 残疾人证 only
	Level        int    // 残疾人证 only
	Grade        int    // 残疾军人证 only
	Issued       string // YYYY-MM-DD
	ValidUntil   string // YYYY-MM-DD, "" = no expiry
	Status       string // 有效 or 注销
}

// PaymentRecord is one wage, pension or medical record as stored (AmountFen is wages only).
type PaymentRecord struct {
	PersonHash string
	CreditCode string
	Month      string // YYYY-MM
	AmountFen  int64
}

// PersonRecord is a person of the payment tables: the keyed hash they are stored under, and the ID
// number sealed, so that a key rotation can compute the hash under the new key.
type PersonRecord struct {
	Hash   string
	Sealed []byte
}

// StagedPayment is a validated payment record on its way into the registry, with the line of the
// file it came from, so that a key repeated in the file can be reported by line.
type StagedPayment struct {
	Line int
	PaymentRecord
}

// Duplicate is a row (Line) whose natural key an earlier row (First) of the same file already had.
type Duplicate struct {
	Line, First int
}

// MinimumWageRecord is one entry of the versioned minimum-wage table.
type MinimumWageRecord struct {
	Region    string
	From      string // YYYY-MM
	AmountFen int64
}

// Protector seals and hashes identifiers (pii.Protector). Declared here so the domain does not
// depend on the key handling.
type Protector interface {
	Seal(s string) []byte
	Open(b []byte) (string, error)
	Hash(s string) string
}

// Tx is what a use case of this package needs from the store, in one transaction.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error

	// CreateImport inserts a history row and returns its id; rows written by the import carry it.
	CreateImport(ctx context.Context, imp Import) (int64, error)
	// FinishImport records the file's hash and row count once the whole file has been read.
	FinishImport(ctx context.Context, id int64, sha256 string, rows int) error
	// RecordImportErrors stores the listed errors of a rejected attempt.
	RecordImportErrors(ctx context.Context, id int64, errs []RowError) error
	ListImports(ctx context.Context, limit int) ([]Import, error)
	GetImport(ctx context.Context, id int64) (Import, error)
	ImportErrors(ctx context.Context, id int64) ([]RowError, error)

	// The upserts return the positions (in rows) of records whose key this same import already
	// wrote in an earlier batch: duplicates inside the file, which reject it.
	UpsertCertificates(ctx context.Context, importID int64, rows []CertificateRecord) (repeated []int, err error)

	// StagePayments hands validated payment records over batch by batch; none reaches the registry
	// before MergePayments, so the store may take its database's bulk path (COPY) and write the
	// registry in one sorted pass.
	StagePayments(ctx context.Context, recs []StagedPayment) error
	// RecordPersons keeps the sealed ID number of each person of a payments file (once per hash).
	RecordPersons(ctx context.Context, persons []PersonRecord) error
	// MergePayments ends a payments file: it lists up to limit rows whose key repeats an earlier
	// row of the file and counts them all, and when write is set and there are none, writes every
	// staged record into kind's table (an upsert), marked with importID.
	MergePayments(ctx context.Context, kind Kind, importID int64, write bool, limit int) (dups []Duplicate, total int, err error)
	UpsertMinimumWages(ctx context.Context, rows []MinimumWageRecord) error

	// RegistryCertificates reads the certificates of the persons with the given hashes.
	RegistryCertificates(ctx context.Context, personHashes []string) ([]CertificateRecord, error)
	RegistryPayments(ctx context.Context, kind Kind, personHash string, payers []string, from, to string) ([]PaymentRecord, error)

	// The federation office tree: imports are province-wide (package scope).
	scope.Tree
}

// Service runs the use cases of the data exchange, each in one transaction.
type Service struct {
	run       func(ctx context.Context, fn func(Tx) error) error
	pii       Protector
	batchSize int
}

// DefaultBatchSize is the number of validated rows handed to the store at a time (one COPY on
// PostgreSQL; the store splits its INSERTs below the databases' parameter limits). Larger batches
// mean fewer round trips; the batch is the only part of a file held in memory (~1.5 MB at 5,000).
const DefaultBatchSize = 5000

// NewService returns the service. run is the store's transaction runner (store.ExchangeRunner).
func NewService(run func(ctx context.Context, fn func(Tx) error) error, p Protector) *Service {
	return &Service{run: run, pii: p, batchSize: DefaultBatchSize}
}

// WithBatchSize returns a copy of s writing n rows per statement (benchmarks and tests).
func (s *Service) WithBatchSize(n int) *Service {
	c := *s
	if n > 0 {
		c.batchSize = n
	}
	return &c
}

// normaliseHeader trims spaces and a stray byte-order mark from a header cell.
func normaliseHeader(s string) string {
	return strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
}
