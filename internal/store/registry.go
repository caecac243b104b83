package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"quotacert/internal/exchange"
	"quotacert/internal/rules"
)

// The registry tables of the data exchange: certificates, payments and minimum wages, written by
// imports and read by exchange.Source.

// UpsertCertificates writes registry certificates keyed by (person_hash, kind, cert_hash).
//
// Batches are written in chunks of certChunk rows (14 parameters each); a key repeated across
// chunks of one call is reported like one repeated across calls.
func (tx ExchangeTx) UpsertCertificates(ctx context.Context, importID int64, recs []exchange.CertificateRecord) ([]int, error) {
	var repeated []int
	for start := 0; start < len(recs); start += certChunk {
		rep, err := tx.upsertCertificates(ctx, importID, recs[start:min(len(recs), start+certChunk)])
		if err != nil {
			return nil, err
		}
		for _, i := range rep {
			repeated = append(repeated, start+i)
		}
	}
	return repeated, nil
}

// certChunk keeps a certificate upsert at 5,600 parameters.
const certChunk = 400

// certKind is the stored kind of a certificate: the zero kind is a 残疾人证.
func certKind(k rules.CertificateKind) string {
	if k.Veteran() {
		return string(rules.VeteranCertificate)
	}
	return string(rules.DisabilityCertificate)
}

// nullPositive stores 0 (no category, level or grade for this kind) as NULL.
func nullPositive(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func (tx ExchangeTx) upsertCertificates(ctx context.Context, importID int64, recs []exchange.CertificateRecord) ([]int, error) {
	args := make([]any, 0, 15*len(recs))
	for _, r := range recs {
		var until any
		if r.ValidUntil != "" {
			until = r.ValidUntil
		}
		args = append(args, r.CertHash, r.CertSealed, r.CertMasked, r.PersonHash, r.PersonSealed, r.Name, r.Gender,
			certKind(r.Kind), nullPositive(r.Category), nullPositive(r.Level), nullPositive(r.Grade), r.Issued, until, r.Status)
	}
	written, err := tx.upsert(ctx, `INSERT INTO registry_certificates AS t (cert_hash, cert_sealed, cert_masked,
        person_hash, person_sealed, name, gender, kind, category, level, grade, issued, valid_until, status, import_id) VALUES `,
		` ON CONFLICT (person_hash, kind, cert_hash) DO UPDATE SET cert_sealed = excluded.cert_sealed,
        cert_masked = excluded.cert_masked, person_sealed = excluded.person_sealed, name = excluded.name,
        gender = excluded.gender, category = excluded.category, level = excluded.level, grade = excluded.grade,
        issued = excluded.issued, valid_until = excluded.valid_until, status = excluded.status, import_id = excluded.import_id`,
		` WHERE t.import_id IS DISTINCT FROM excluded.import_id RETURNING person_hash, kind, cert_hash`, importID, 14, len(recs), args, 3)
	if err != nil {
		return nil, fmt.Errorf("upsert certificates: %w", err)
	}
	var repeated []int
	for i, r := range recs {
		if !written[r.PersonHash+"|"+certKind(r.Kind)+"|"+r.CertHash] {
			repeated = append(repeated, i)
		}
	}
	return repeated, nil
}

// paymentTable maps a payment kind to its table; the kind comes from exchange, never from users.
func paymentTable(kind exchange.Kind) (string, error) {
	switch kind {
	case exchange.Wages:
		return "registry_wages", nil
	case exchange.Social:
		return "registry_social", nil
	case exchange.Medical:
		return "registry_medical", nil
	}
	return "", fmt.Errorf("no payment table for kind %q", kind)
}

// UpsertMinimumWages writes minimum-wage entries keyed by (region, from_month).
func (tx ExchangeTx) UpsertMinimumWages(ctx context.Context, recs []exchange.MinimumWageRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO minimum_wages (region, from_month, amount_fen) VALUES `)
	args := make([]any, 0, 3*len(recs))
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		n := len(args)
		fmt.Fprintf(&b, "($%d,$%d,$%d)", n+1, n+2, n+3)
		args = append(args, r.Region, r.From, r.AmountFen)
	}
	b.WriteString(` ON CONFLICT (region, from_month) DO UPDATE SET amount_fen = excluded.amount_fen`)
	if _, err := tx.tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("upsert minimum wages: %w", err)
	}
	return nil
}

// RegistryCertificates reads the certificates of the persons with the given hashes, by person and
// oldest issue first.
func (tx ExchangeTx) RegistryCertificates(ctx context.Context, personHashes []string) ([]exchange.CertificateRecord, error) {
	if len(personHashes) == 0 {
		return nil, nil
	}
	args := make([]any, len(personHashes))
	for i, h := range personHashes {
		args[i] = h
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT cert_hash, cert_sealed, cert_masked, person_hash, person_sealed,
        name, gender, kind, COALESCE(category, 0), COALESCE(level, 0), COALESCE(grade, 0), issued,
        COALESCE(valid_until, ''), status
        FROM registry_certificates WHERE person_hash IN (`+placeholders(1, len(args))+`)
        ORDER BY person_hash, issued, kind, cert_masked`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry certificates: %w", err)
	}
	defer rows.Close()
	var out []exchange.CertificateRecord
	for rows.Next() {
		var r exchange.CertificateRecord
		if err := rows.Scan(&r.CertHash, &r.CertSealed, &r.CertMasked, &r.PersonHash, &r.PersonSealed, &r.Name,
			&r.Gender, &r.Kind, &r.Category, &r.Level, &r.Grade, &r.Issued, &r.ValidUntil, &r.Status); err != nil {
			return nil, fmt.Errorf("scan registry certificate: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RegistryPayments reads a person's records of one kind from the given payers in [from, to].
func (tx ExchangeTx) RegistryPayments(ctx context.Context, kind exchange.Kind, personHash string, payers []string, from, to string) ([]exchange.PaymentRecord, error) {
	table, err := paymentTable(kind)
	if err != nil {
		return nil, err
	}
	amount := "0"
	if kind == exchange.Wages {
		amount = "amount_fen"
	}
	args := []any{personHash, from, to}
	in := make([]string, len(payers))
	for i, p := range payers {
		args = append(args, p)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT person_hash, credit_code, month, `+amount+` FROM `+table+`
        WHERE person_hash = $1 AND month >= $2 AND month <= $3 AND credit_code IN (`+strings.Join(in, ",")+`)
        ORDER BY month, credit_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var out []exchange.PaymentRecord
	for rows.Next() {
		var r exchange.PaymentRecord
		if err := rows.Scan(&r.PersonHash, &r.CreditCode, &r.Month, &r.AmountFen); err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
