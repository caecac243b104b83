// Package refdata seeds the dictionaries every installation starts with (DOMAIN.md §7): Jilin's
// regions, the federation office tree, tax offices, minimum wages, business years 2024–2026 with
// their declaration windows and pledge, and the levy parameters. It runs once, as a named migration
// step, so that later edits by administrators are never overwritten by a restart.
package refdata

import (
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"quotacert/internal/rules"
	"quotacert/internal/store"
)

//go:embed data/*.csv
var files embed.FS

// StepName records the seed in schema_migrations.
const StepName = "refdata/jilin-v1"

// PledgeVersion is the pledge text seeded for 2024–2026.
const PledgeVersion = "2025-v1"

// Pledge is the commitment text an employer accepts at 完成申报.
const Pledge = `本单位郑重承诺：
一、本次申报的安置残疾人就业信息（含残疾人身份信息、劳动合同、工资发放、社会保险缴纳等）真实、准确、完整，相关证明材料均为真实有效的原件影像；
二、所申报的残疾人均与本单位（或经协议约定的关联单位）签订一年以上（含一年）劳动合同或服务协议，并实际在岗工作；
三、同一名残疾人在同一月份仅在本单位申报，未在其他单位重复申报；
四、如有虚报、瞒报、伪造证明材料等情况，本单位愿意承担由此产生的一切法律责任，并接受残联及税务部门依法依规作出的处理。`

// Step returns the migration step that loads the reference data.
func Step() store.Step {
	return store.Step{Name: StepName, Apply: load}
}

func load(ctx context.Context, tx *store.Tx) error {
	if err := eachRow("regions.csv", []string{"code", "name", "parent"}, func(r []string) error {
		_, err := tx.Exec(ctx, `INSERT INTO regions (code, name, parent) VALUES ($1, $2, $3)`, r[0], r[1], nullable(r[2]))
		return err
	}); err != nil {
		return err
	}
	if err := eachRow("federation_offices.csv", []string{"code", "name", "parent"}, func(r []string) error {
		_, err := tx.Exec(ctx, `INSERT INTO federation_offices (code, name, parent, region) VALUES ($1, $2, $3, $1)`,
			r[0], r[1], nullable(r[2]))
		return err
	}); err != nil {
		return err
	}
	if err := eachRow("tax_offices.csv", []string{"code", "name", "region"}, func(r []string) error {
		_, err := tx.Exec(ctx, `INSERT INTO tax_offices (code, name, region) VALUES ($1, $2, $3)`, r[0], r[1], r[2])
		return err
	}); err != nil {
		return err
	}
	if err := eachRow("minwage.csv", []string{"region", "from", "amount"}, func(r []string) error {
		fen, err := rules.ParseYuan(r[2])
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO minimum_wages (region, from_month, amount_fen) VALUES ($1, $2, $3)`, r[0], r[1], int64(fen))
		return err
	}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pledges (version, body, created_at) VALUES ($1, $2, $3)`,
		PledgeVersion, Pledge, tx.Now()); err != nil {
		return fmt.Errorf("seed pledge: %w", err)
	}
	// Business years 2024–2026; the window of year Y is 03-01 to 10-31 of Y+1 (DOMAIN.md §7 Decision).
	// The social average wage (yuan a year) is a starting figure, 吉林省城镇非私营单位在岗职工年平均工资
	// rounded, that the administrator confirms each year in the console.
	for y, avgWage := range map[int]int64{2024: 92000, 2025: 95000, 2026: 98000} {
		if _, err := tx.Exec(ctx, `INSERT INTO business_years (year, window_open, window_close, pledge_version)
            VALUES ($1, $2, $3, $4)`, y, fmt.Sprintf("%d-03-01", y+1), fmt.Sprintf("%d-10-31", y+1), PledgeVersion); err != nil {
			return fmt.Errorf("seed business year %d: %w", y, err)
		}
		// Quota 1.6% is DOMAIN.md §7's Decision for Jilin.
		if _, err := tx.Exec(ctx, `INSERT INTO levy_parameters (province, year, quota_basis_points, social_avg_wage_fen)
            VALUES ('220000', $1, 160, $2)`, y, avgWage*100); err != nil {
			return fmt.Errorf("seed levy parameters %d: %w", y, err)
		}
	}
	return nil
}

// eachRow reads an embedded CSV whose header must be exactly want, calling fn for each row.
func eachRow(name string, want []string, fn func([]string) error) error {
	f, err := files.Open("data/" + name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(want)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: header: %w", name, err)
	}
	if strings.Join(header, ",") != strings.Join(want, ",") {
		return fmt.Errorf("%s: header %v, want %v", name, header, want)
	}
	for line := 2; ; line++ {
		row, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := fn(row); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
