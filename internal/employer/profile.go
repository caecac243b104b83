package employer

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/readtx"
)

// phonePattern accepts a mainland mobile number or a landline with area code (DOMAIN.md §6).
var phonePattern = regexp.MustCompile(`^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)

// ValidPhone reports whether s is a contact phone as DOMAIN.md §6 defines it. Registration uses it
// too, so the number given at registration is always one the profile accepts.
func ValidPhone(s string) bool { return phonePattern.MatchString(s) }

// ValidEmail accepts a plain address (local@domain.tld) of at most 254 bytes, without a display
// name or anything a mail header could be tricked with (the address goes into To:).
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\"',;:()[]\\") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// Field limits: generous for real names and addresses, small enough to keep pages and exports sane.
const (
	maxName      = 100
	maxContact   = 50
	maxAddress   = 200
	maxEmployees = 10_000_000
)

// Field labels, shared by Complete and the pages so a missing field is named the same everywhere.
var fieldLabels = []struct{ Key, Label string }{
	{"name", "单位名称"},
	{"unitNature", "单位性质"},
	{"federationOffice", "残联主管部门"},
	{"taxOffice", "税务主管部门"},
	{"district", "行政所属区"},
	{"contactName", "经办人姓名"},
	{"contactPhone", "经办人电话"},
	{"employeeCount", "在职职工人数"},
	{"address", "单位地址"},
	{"economyType", "经济类型"},
	{"contactEmail", "经办人电子邮箱"},
}

// FieldLabel returns the Chinese label of a profile field key.
func FieldLabel(key string) string {
	for _, f := range fieldLabels {
		if f.Key == key {
			return f.Label
		}
	}
	return key
}

// Complete lists the labels of the required profile fields that are still empty. Placement pages
// send an employer with missing fields here first, and a declaration cannot be submitted until the
// list is empty (DOMAIN.md §5).
func Complete(p Profile) (missing []string) {
	empty := map[string]bool{
		"name":             strings.TrimSpace(p.Name) == "",
		"unitNature":       p.UnitNature == "",
		"federationOffice": p.FederationOffice == "",
		"taxOffice":        p.TaxOffice == "",
		"district":         p.District == "",
		"contactName":      strings.TrimSpace(p.ContactName) == "",
		"contactPhone":     p.ContactPhone == "",
		"employeeCount":    p.EmployeeCount <= 0,
		"address":          strings.TrimSpace(p.Address) == "",
	}
	for _, f := range fieldLabels {
		if empty[f.Key] {
			missing = append(missing, f.Label)
		}
	}
	return missing
}

// employerOf returns the employer the actor acts for, or forbids the use case.
func employerOf(a actor.Actor) (int64, error) {
	if a.Role != actor.Employer || a.EmployerID == 0 {
		return 0, apperr.New(apperr.Forbidden, "只有用人单位账号可以维护单位信息")
	}
	return a.EmployerID, nil
}

// Profile returns the acting employer's profile.
func (s *Service) Profile(ctx context.Context, a actor.Actor) (Profile, error) {
	id, err := employerOf(a)
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	err = s.run(readtx.Mark(ctx), func(tx Tx) error {
		p, err = tx.Profile(ctx, id)
		return err
	})
	return p, err
}

// SaveProfile validates and stores the acting employer's profile. Every bad field is reported at
// once, with a Chinese message, and nothing is written unless all are valid. Saving the same input
// twice leaves the same state (a double submit is harmless); only a real change is audited.
func (s *Service) SaveProfile(ctx context.Context, a actor.Actor, in ProfileInput) (Profile, error) {
	id, err := employerOf(a)
	if err != nil {
		return Profile{}, err
	}
	var saved Profile
	err = s.run(ctx, func(tx Tx) error {
		cur, err := tx.Profile(ctx, id)
		if err != nil {
			return err
		}
		next, fields, err := validateProfile(ctx, tx, cur, in)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		changed := changedFields(cur, next)
		if len(changed) == 0 {
			saved = cur
			return nil
		}
		next.UpdatedAt = tx.Now()
		if err := tx.UpdateProfile(ctx, next); err != nil {
			return err
		}
		e := audit.For(a, "employer.update", "employer", strconv.FormatInt(id, 10))
		// Field names only: the values (a contact's phone) do not belong in the audit trail.
		e.Detail = "changed: " + strings.Join(changed, ",")
		if err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		saved = next
		return nil
	})
	return saved, err
}

// validateProfile returns the profile cur would become with in, and the message of each bad field.
func validateProfile(ctx context.Context, tx Tx, cur Profile, in ProfileInput) (Profile, map[string]string, error) {
	next := cur
	fields := map[string]string{}
	next.Name = strings.TrimSpace(in.Name)
	next.ContactName = strings.TrimSpace(in.ContactName)
	next.ContactPhone = strings.TrimSpace(in.ContactPhone)
	next.Address = strings.TrimSpace(in.Address)
	next.District = strings.TrimSpace(in.District)
	next.FederationOffice = strings.TrimSpace(in.FederationOffice)
	next.TaxOffice = strings.TrimSpace(in.TaxOffice)
	if in.UnitNature != nil {
		next.UnitNature = strings.TrimSpace(*in.UnitNature)
	}
	if in.EconomyType != nil {
		next.EconomyType = strings.TrimSpace(*in.EconomyType)
	}
	if in.ContactEmail != nil {
		next.ContactEmail = strings.TrimSpace(*in.ContactEmail)
	}
	switch {
	case next.UnitNature == "":
		fields["unitNature"] = "请选择单位性质"
	case !slices.Contains(UnitNatures(), next.UnitNature):
		fields["unitNature"] = "单位性质应为" + strings.Join(UnitNatures(), "、") + "之一"
	}
	if next.EconomyType != "" && !slices.Contains(EconomyTypes(), next.EconomyType) {
		fields["economyType"] = "经济类型应为" + strings.Join(EconomyTypes(), "、") + "之一"
	}
	if next.ContactEmail != "" && !ValidEmail(next.ContactEmail) {
		fields["contactEmail"] = "电子邮箱格式错误，例如 hr@example.com"
	}
	text := func(key, v string, max int) {
		switch {
		case v == "":
			fields[key] = "请填写" + FieldLabel(key)
		case utf8.RuneCountInString(v) > max:
			fields[key] = fmt.Sprintf("%s不能超过 %d 个字", FieldLabel(key), max)
		case strings.ContainsFunc(v, isControl):
			fields[key] = FieldLabel(key) + "含有不可见的控制字符"
		}
	}
	text("name", next.Name, maxName)
	text("contactName", next.ContactName, maxContact)
	text("address", next.Address, maxAddress)

	switch {
	case next.ContactPhone == "":
		fields["contactPhone"] = "请填写经办人电话"
	case !ValidPhone(next.ContactPhone):
		fields["contactPhone"] = "电话格式错误：手机号为 11 位（如 13812345678），固定电话需带区号（如 0431-88886666）"
	}
	switch {
	case in.EmployeeCount == nil:
		fields["employeeCount"] = "请填写在职职工人数"
	case *in.EmployeeCount < 1 || *in.EmployeeCount > maxEmployees:
		fields["employeeCount"] = "在职职工人数应为 1 到 10000000 之间的整数"
	default:
		next.EmployeeCount = *in.EmployeeCount
	}

	// The district must be a county-level division (a leaf of the region tree); the offices must
	// serve it or one of the divisions above it, which is what the form offers.
	var chain []string
	if next.District == "" {
		fields["district"] = "请选择行政所属区（省、市、区县）"
	} else {
		r, ok, err := tx.Region(ctx, next.District)
		if err != nil {
			return next, nil, err
		}
		if ok {
			kids, err := tx.RegionChildren(ctx, r.Code)
			if err != nil {
				return next, nil, err
			}
			if len(kids) > 0 {
				ok = false
			}
		}
		if !ok {
			fields["district"] = "请选择到区县一级的行政所属区"
		} else if chain, err = regionChain(ctx, tx, r); err != nil {
			return next, nil, err
		}
	}
	office := func(key, kind, code, what string) error {
		if code == "" {
			fields[key] = "请选择" + FieldLabel(key)
			return nil
		}
		o, ok, err := tx.Office(ctx, kind, code)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			fields[key] = FieldLabel(key) + "不存在，请重新选择"
		case chain != nil && !slices.Contains(chain, o.Region):
			fields[key] = FieldLabel(key) + "应为行政所属区或其上级地区的" + what
		}
		return nil
	}
	if err := office("federationOffice", OfficeFederation, next.FederationOffice, "残联"); err != nil {
		return next, nil, err
	}
	if err := office("taxOffice", OfficeTax, next.TaxOffice, "税务机关"); err != nil {
		return next, nil, err
	}
	return next, fields, nil
}

// regionChain returns r's code and those of every division above it, nearest first.
func regionChain(ctx context.Context, tx Tx, r Region) ([]string, error) {
	chain := []string{r.Code}
	for r.Parent != "" && len(chain) < 8 { // the tree is three levels deep; 8 stops a bad cycle
		p, ok, err := tx.Region(ctx, r.Parent)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		chain = append(chain, p.Code)
		r = p
	}
	return chain, nil
}

// changedFields names the fields that differ, for the audit trail.
func changedFields(a, b Profile) []string {
	var out []string
	add := func(key string, differ bool) {
		if differ {
			out = append(out, key)
		}
	}
	add("name", a.Name != b.Name)
	add("federationOffice", a.FederationOffice != b.FederationOffice)
	add("taxOffice", a.TaxOffice != b.TaxOffice)
	add("district", a.District != b.District)
	add("contactName", a.ContactName != b.ContactName)
	add("contactPhone", a.ContactPhone != b.ContactPhone)
	add("employeeCount", a.EmployeeCount != b.EmployeeCount)
	add("address", a.Address != b.Address)
	add("unitNature", a.UnitNature != b.UnitNature)
	add("economyType", a.EconomyType != b.EconomyType)
	add("contactEmail", a.ContactEmail != b.ContactEmail)
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// IncompleteError is why a change is refused while the profile misses required fields; pages send
// the employer to the profile page when they see it (errors.As).
type IncompleteError struct{ Missing []string }

func (e *IncompleteError) Error() string {
	return "employer profile incomplete: " + strings.Join(e.Missing, ", ")
}

// RequireComplete returns nil for a complete profile and otherwise a conflict naming the missing
// fields: an employer registers placements only once its profile is complete.
func RequireComplete(p Profile) error {
	missing := Complete(p)
	if len(missing) == 0 {
		return nil
	}
	return apperr.Wrap(apperr.Conflict, "请先完善单位信息（带 * 的项目）："+strings.Join(missing, "、"), &IncompleteError{Missing: missing})
}
