package store

import (
	"context"
	"database/sql"
	"fmt"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// The placement port's bulk registration: 复制上年名单 (a year's placements in a few queries, the
// persons already placed) and the Excel imports (their history, the affiliates they name by code).

// LiveAffiliates lists the employer's affiliates in force with their attachment counts.
func (tx PlacementTx) LiveAffiliates(ctx context.Context, employerID int64) ([]placement.Affiliate, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT a.id, a.credit_code, a.kind,
        (SELECT COUNT(*) FROM affiliate_files f WHERE f.affiliate_id = a.id AND f.deleted_at IS NULL)
        FROM affiliates a WHERE a.employer_id = $1 AND a.deleted_at IS NULL ORDER BY a.id`, employerID)
	if err != nil {
		return nil, fmt.Errorf("live affiliates: %w", err)
	}
	defer rows.Close()
	var out []placement.Affiliate
	for rows.Next() {
		var a placement.Affiliate
		if err := rows.Scan(&a.ID, &a.CreditCode, &a.Kind, &a.Files); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// InsertImport records an import with its listed errors and returns its id.
func (tx PlacementTx) InsertImport(ctx context.Context, rec placement.ImportRecord, errs []placement.RowError) (int64, error) {
	status := "rejected"
	if rec.Accepted {
		status = "accepted"
	}
	var id int64
	if err := tx.tx.QueryRowContext(ctx, `INSERT INTO placement_imports (employer_id, year, file_name, sha256, rows, created,
        status, error_count, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		rec.EmployerID, rec.Year, rec.FileName, rec.SHA256, rec.Rows, rec.Created, status, rec.ErrorCount, rec.Actor,
		rec.CreatedAt.UTC()).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert placement import: %w", err)
	}
	const chunk = 200 // 5 parameters a row
	for start := 0; start < len(errs); start += chunk {
		part := errs[start:min(len(errs), start+chunk)]
		args := make([]any, 0, 5*len(part))
		for i, e := range part {
			args = append(args, id, start+i, e.Line, e.Field, e.Reason)
		}
		if _, err := tx.tx.ExecContext(ctx, valuesText(`INSERT INTO placement_import_errors (import_id, seq, row_number, field, reason) VALUES `,
			5, len(part), tx.db.dialect.Name == "sqlite"), args...); err != nil {
			return 0, fmt.Errorf("insert placement import errors: %w", err)
		}
	}
	return id, nil
}

// Import reads an import record with its errors in file order.
func (tx PlacementTx) Import(ctx context.Context, id int64) (placement.ImportRecord, []placement.RowError, error) {
	var rec placement.ImportRecord
	var status string
	err := tx.tx.QueryRowContext(ctx, `SELECT id, employer_id, year, file_name, sha256, rows, created, status, error_count,
        actor, created_at FROM placement_imports WHERE id = $1`, id).Scan(&rec.ID, &rec.EmployerID, &rec.Year, &rec.FileName,
		&rec.SHA256, &rec.Rows, &rec.Created, &status, &rec.ErrorCount, &rec.Actor, &rec.CreatedAt)
	if isNoRows(err) {
		return rec, nil, apperr.NotFoundf("导入记录")
	}
	if err != nil {
		return rec, nil, fmt.Errorf("load placement import %d: %w", id, err)
	}
	rec.Accepted = status == "accepted"
	rows, err := tx.tx.QueryContext(ctx, `SELECT row_number, field, reason FROM placement_import_errors WHERE import_id = $1 ORDER BY seq`, id)
	if err != nil {
		return rec, nil, fmt.Errorf("placement import errors: %w", err)
	}
	defer rows.Close()
	var errs []placement.RowError
	for rows.Next() {
		var e placement.RowError
		if err := rows.Scan(&e.Line, &e.Field, &e.Reason); err != nil {
			return rec, nil, err
		}
		errs = append(errs, e)
	}
	return rec, errs, rows.Err()
}

// YearPlacements loads an employer's placements of a year with persons and contracts: one query
// for the placements, one for the contracts with their files. The persons' birth dates are left
// out (not stored: they follow from the sealed ID numbers).
func (tx PlacementTx) YearPlacements(ctx context.Context, employerID int64, year int) ([]placement.Placement, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT p.id, p.employer_id, p.year, p.status, p.dispatched, p.affiliate_id,
        p.female_retirement_age, p.category, p.level, p.certificate_kind, p.grade, p.graduate_school, p.graduate_degree,
        p.graduate_major, p.graduate_date, p.graduate_diploma, p.created_at, p.updated_at,
        s.id, s.id_hash, s.id_sealed, s.id_masked, s.name, s.gender
        FROM placements p JOIN persons s ON s.id = p.person_id WHERE p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL
        ORDER BY p.id`,
		employerID, year)
	if err != nil {
		return nil, fmt.Errorf("year placements: %w", err)
	}
	var out []placement.Placement
	at := map[int64]int{}
	for rows.Next() {
		var p placement.Placement
		var affiliate, category, level, grade sql.NullInt64
		var grad sql.NullString
		if err := rows.Scan(&p.ID, &p.EmployerID, &p.Year, &p.Status, &p.Dispatched, &affiliate, &p.FemaleRetirementAge,
			&category, &level, &p.CertificateKind, &grade, &p.Graduate.School, &p.Graduate.Degree, &p.Graduate.Major, &grad,
			&p.Graduate.DiplomaNumber, &p.CreatedAt, &p.UpdatedAt, &p.Person.ID, &p.Person.IDHash, &p.Person.IDSealed,
			&p.Person.IDMasked, &p.Person.Name, &p.Person.Gender); err != nil {
			rows.Close()
			return nil, err
		}
		p.AffiliateID, p.Category, p.Level, p.Grade = affiliate.Int64, int(category.Int64), int(level.Int64), int(grade.Int64)
		if p.Graduate.Graduated, err = parseNullDate(grad); err != nil {
			rows.Close()
			return nil, fmt.Errorf("stored graduation date: %w", err)
		}
		at[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("year placements: %w", err)
	}
	rows, err = tx.tx.QueryContext(ctx, `SELECT c.placement_id, c.id, c.start_date, c.end_date, f.file_id FROM contracts c
        JOIN placements p ON p.id = c.placement_id LEFT JOIN contract_files f ON f.contract_id = c.id
        WHERE p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL ORDER BY c.placement_id, c.start_date, c.id, f.file_id`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("year contracts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid, cid int64
		var start string
		var end, file sql.NullString
		if err := rows.Scan(&pid, &cid, &start, &end, &file); err != nil {
			return nil, err
		}
		i, ok := at[pid]
		if !ok {
			continue
		}
		cs := &out[i].Contracts
		if n := len(*cs); n == 0 || (*cs)[n-1].ID != cid {
			c := placement.Contract{ID: cid}
			if c.Start, err = rules.ParseDate(start); err != nil {
				return nil, fmt.Errorf("stored contract start: %w", err)
			}
			if c.End, err = parseNullDate(end); err != nil {
				return nil, fmt.Errorf("stored contract end: %w", err)
			}
			*cs = append(*cs, c)
		}
		if file.Valid {
			(*cs)[len(*cs)-1].FileIDs = append((*cs)[len(*cs)-1].FileIDs, file.String)
		}
	}
	return out, rows.Err()
}

// PlacedPersons lists the ID hashes of the persons an employer registered in a year.
func (tx PlacementTx) PlacedPersons(ctx context.Context, employerID int64, year int) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT s.id_hash FROM placements p JOIN persons s ON s.id = p.person_id
        WHERE p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("placed persons: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
