// Package verifycase is the JSON form of one verification case (CONTRACT.md,
// "Verification case"): it decodes and validates the case into a
// rules.Case, encodes a rules.Result as the month grid, and runs the whole
// `quotacert verify` job. The CLI and POST /api/v1/verify both call Process,
// so they cannot drift apart.
//
// Decoding never goes through float64: amounts are read from the JSON
// number's text, exactly, into integer fen. Every invalid input is reported
// as a *FieldError naming the field by its JSON path (wages[2].amount), so
// the CLI can print one line and the API can answer 422 with "fields".
package verifycase

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"quotacert/internal/rules"
)

// FieldError is an invalid input: the JSON path of the offending field
// ("wages[2].amount", "person.idNumber"; "" for the document as a whole)
// and a Chinese reason fit to show to the user.
type FieldError struct {
	Path   string
	Reason string
}

// Error returns "path: reason", or the reason alone for the whole document.
func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

// MaxCaseBytes bounds a case document. A person-year is a few kilobytes;
// the bound keeps a hostile request from exhausting memory.
const MaxCaseBytes = 4 << 20

// Process reads one case from in, verifies it and writes the grid to out.
// Invalid input is returned as a *FieldError (and nothing is written, never
// a partial answer); any other error is a failure to write.
func Process(in io.Reader, out io.Writer, today rules.Date) error {
	c, err := Decode(in, today)
	if err != nil {
		return err
	}
	return Encode(out, rules.Verify(c))
}

// Run does the whole `quotacert verify` job: the case on stdin, the grid on
// stdout and exit status 0; invalid input gives exit status 2 and one line
// on stderr naming the field; a failure to write gives 1. It never panics:
// a bug surfaces as exit status 1 and a message, not a stack trace in the
// caller's pipeline.
func Run(stdin io.Reader, stdout, stderr io.Writer, today rules.Date) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "verify: 内部错误: %v\n", p)
			code = 1
		}
	}()
	var out bytes.Buffer
	err := Process(stdin, &out, today)
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "verify: %s\n", oneLine(fe.Error()))
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "verify: %s\n", oneLine(err.Error()))
		return 1
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "verify: 写出结果失败: %s\n", oneLine(err.Error()))
		return 1
	}
	return 0
}

// oneLine replaces line breaks so that the message stays one line.
func oneLine(s string) string {
	return string(bytes.ReplaceAll(bytes.ReplaceAll([]byte(s), []byte("\r"), []byte(" ")), []byte("\n"), []byte(" ")))
}

// monthJSON is one month of the grid, fields in CONTRACT.md's order.
type monthJSON struct {
	Month            string   `json:"month"`
	Wage             bool     `json:"wage"`
	SocialInsurance  bool     `json:"socialInsurance"`
	MedicalInsurance bool     `json:"medicalInsurance"`
	Certificate      bool     `json:"certificate"`
	WorkingAge       bool     `json:"workingAge"`
	Contract         bool     `json:"contract"`
	Passed           bool     `json:"passed"`
	Weight           int      `json:"weight"`
	Reasons          []string `json:"reasons"`
}

// resultJSON is the grid of CONTRACT.md.
type resultJSON struct {
	Year         int `json:"year"`
	PassedMonths int `json:"passedMonths"`
	// EquivalentPersons is written from integer hundredths as a literal
	// JSON number ("0.08"), never through float formatting.
	EquivalentPersons json.Number `json:"equivalentPersons"`
	Months            []monthJSON `json:"months"`
}

// Encode writes res in CONTRACT.md's result shape: 12 months, January first;
// reasons always an array ([] for a passed month, never null);
// equivalentPersons = Σ weight ÷ 12 rounded half-up to 2 decimals.
func Encode(w io.Writer, res rules.Result) error {
	out := resultJSON{
		Year:              res.Year,
		PassedMonths:      res.PassedMonths,
		EquivalentPersons: json.Number(res.WeightMonths.String()),
		Months:            make([]monthJSON, len(res.Months)),
	}
	for i, m := range res.Months {
		reasons := m.Reasons()
		if reasons == nil {
			reasons = []string{}
		}
		out.Months[i] = monthJSON{
			Month: m.Month.String(), Wage: m.Wage, SocialInsurance: m.SocialInsurance,
			MedicalInsurance: m.MedicalInsurance, Certificate: m.Certificate, WorkingAge: m.WorkingAge,
			Contract: m.Contract, Passed: m.Passed, Weight: m.Weight, Reasons: reasons,
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
