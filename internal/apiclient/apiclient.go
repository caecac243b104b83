// Package apiclient is the tax bureau's interface (issue 15, seed 第七步 "发送给税务部门"): programs of
// a tax office that read the certified results (GET /api/v1/years/{year}/results) with a bearer
// token instead of a staff sign-in.
//
// Administrators register a client with a name and the tax office whose region subtree it may read,
// or the whole province. The rule follows the administrators' scope (package scope): an
// administrator registers, rotates and revokes clients of the tax offices whose region lies within
// its office's region; clients of the whole province are the root office's administrators' alone.
// The token is shown once, at registration or rotation, and only its SHA-256 is stored; a rotation
// replaces it at once (the old token stops working), a revocation is final. Every change and every
// refused use is audited; each read of the results is audited by the declaration service.
package apiclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/scope"
)

// Client is one registered API client. TaxOffice "" reads the whole province.
type Client struct {
	ID            int64
	Name          string
	TaxOffice     string
	TaxOfficeName string
	Office        string // the federation office of the administrator who registered it
	TokenHint     string // the token's first characters
	CreatedAt     time.Time
	RotatedAt     time.Time
	RevokedAt     time.Time
	LastUsedAt    time.Time
	LastUsedAddr  string
	// Managed is filled by the service: the actor may rotate and revoke it.
	Managed bool
}

// Revoked reports whether the client's token has been revoked.
func (c Client) Revoked() bool { return !c.RevokedAt.IsZero() }

// Scope names what the client reads, in Chinese.
func (c Client) Scope() string {
	if c.TaxOffice == "" {
		return "全省"
	}
	if c.TaxOfficeName != "" {
		return c.TaxOfficeName + "及其下级辖区"
	}
	return c.TaxOffice
}

// TaxOffice is a tax office as the scope rule reads it.
type TaxOffice struct {
	Code, Name, Region string
}

// Tx is what this package needs from the store, inside one transaction.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
	// The federation office tree, for the administrator's scope.
	scope.Tree

	// TaxOffice loads a tax office; found is false for an unknown code.
	TaxOffice(ctx context.Context, code string) (TaxOffice, bool, error)
	// RootOffice is the code of the root federation office (the office without a parent).
	RootOffice(ctx context.Context) (string, error)
	// RegionWithin reports whether region is ancestor or lies below it in the region tree.
	RegionWithin(ctx context.Context, region, ancestor string) (bool, error)

	Clients(ctx context.Context) ([]Client, error)
	Client(ctx context.Context, id int64) (Client, bool, error)
	// ClientByToken finds the client whose token has this hash (revoked ones included).
	ClientByToken(ctx context.Context, hash string) (Client, bool, error)
	// InsertClient adds a client; false when a live client has the name already.
	InsertClient(ctx context.Context, c Client, hash string, createdBy int64) (int64, bool, error)
	SetClientToken(ctx context.Context, id int64, hash, hint string) error
	RevokeClient(ctx context.Context, id int64) error
	TouchClient(ctx context.Context, id int64, addr string) error
}

// Service runs the API client use cases, one transaction each.
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
}

// NewService returns a service that runs each use case through run.
func NewService(run func(ctx context.Context, fn func(Tx) error) error) *Service {
	return &Service{run: run}
}

// tokenPrefix marks the tokens of this system, so that a leaked one is recognisable (secret scanners).
const tokenPrefix = "qct_"

// newToken draws a token of 256 random bits and returns it with its hash and hint.
func newToken() (token, hash, hint string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", fmt.Errorf("draw api token: %w", err)
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), token[:len(tokenPrefix)+6], nil
}

// hashToken is the stored form of a token. A plain SHA-256 suffices, unlike passwords: the token
// has 256 random bits, so no dictionary or brute force can invert it, and a look-up by hash stays
// one indexed read per request.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Input registers a client: its name and the tax office it reads ("" = the province).
type Input struct {
	Name      string
	TaxOffice string
}

// managed reports whether the administrator may register or change a client of the tax office.
func managed(ctx context.Context, tx Tx, sc scope.Admin, taxOffice string) (bool, error) {
	if sc.Province() {
		return true, nil
	}
	if taxOffice == "" {
		return false, nil
	}
	t, ok, err := tx.TaxOffice(ctx, taxOffice)
	if err != nil || !ok {
		return false, err
	}
	return tx.RegionWithin(ctx, t.Region, sc.Office.Region)
}

// Register adds a client and returns it with its token, which is not stored and never shown again.
func (s *Service) Register(ctx context.Context, a actor.Actor, in Input) (Client, string, error) {
	in.Name, in.TaxOffice = strings.TrimSpace(in.Name), strings.TrimSpace(in.TaxOffice)
	var out Client
	var token string
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		switch n := utf8.RuneCountInString(in.Name); {
		case n == 0:
			fields["name"] = "请填写客户端名称，例如“国家税务总局长春市税务局征收系统”"
		case n > 100:
			fields["name"] = "名称不超过 100 个字"
		}
		var office TaxOffice
		if in.TaxOffice != "" {
			var ok bool
			if office, ok, err = tx.TaxOffice(ctx, in.TaxOffice); err != nil {
				return err
			} else if !ok {
				fields["taxOffice"] = "税务机关不存在"
			}
		}
		if len(fields) > 0 {
			return apperr.FieldErrors(fields)
		}
		if ok, err := managed(ctx, tx, sc, in.TaxOffice); err != nil {
			return err
		} else if !ok && in.TaxOffice == "" {
			return sc.ProvinceOnly("读取全省认证结果的接口客户端")
		} else if !ok {
			return sc.Outside("税务机关" + office.Name)
		}
		var hash string
		if token, hash, out.TokenHint, err = newToken(); err != nil {
			return err
		}
		out.Name, out.TaxOffice, out.TaxOfficeName, out.Office = in.Name, in.TaxOffice, office.Name, sc.Office.Code
		if scope.IsSystem(a) {
			// The command line registers in the name of the root office.
			if out.Office, err = tx.RootOffice(ctx); err != nil {
				return err
			}
		}
		out.CreatedAt = tx.Now()
		id, fresh, err := tx.InsertClient(ctx, out, hash, a.UserID)
		if err != nil {
			return err
		}
		if !fresh {
			return apperr.FieldErrors(map[string]string{"name": "已有同名的接口客户端：请换一个名称，或先吊销原客户端"})
		}
		out.ID, out.Managed = id, true
		e := audit.For(a, "apiclient.create", "api_client", fmt.Sprint(id))
		e.Office, e.Detail = out.Office, fmt.Sprintf("name=%s scope=%s hint=%s", out.Name, scopeCode(out.TaxOffice), out.TokenHint)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return Client{}, "", scope.Audited(ctx, s.run, a, "apiclient.create", "api_client", in.Name, err)
	}
	return out, token, nil
}

func scopeCode(taxOffice string) string {
	if taxOffice == "" {
		return "province"
	}
	return taxOffice
}

// List returns the clients the administrator manages, newest first, revoked ones included.
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Client, error) {
	var out []Client
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		all, err := tx.Clients(ctx)
		if err != nil {
			return err
		}
		out = nil
		for _, c := range all {
			ok, err := managed(ctx, tx, sc, c.TaxOffice)
			if err != nil {
				return err
			}
			if ok {
				c.Managed = true
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}

// load finds a client the administrator manages; any other is not found (its existence is not
// revealed).
func load(ctx context.Context, tx Tx, a actor.Actor, id int64) (Client, error) {
	sc, err := scope.Resolve(ctx, tx, a)
	if err != nil {
		return Client{}, err
	}
	c, ok, err := tx.Client(ctx, id)
	if err != nil {
		return Client{}, err
	}
	if ok {
		if ok, err = managed(ctx, tx, sc, c.TaxOffice); err != nil {
			return Client{}, err
		}
	}
	if !ok {
		return Client{}, apperr.NotFoundf("接口客户端")
	}
	c.Managed = true
	return c, nil
}

// Get loads one client the administrator manages (the confirmation pages).
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (Client, error) {
	var out Client
	err := s.run(ctx, func(tx Tx) (err error) { out, err = load(ctx, tx, a, id); return err })
	return out, scope.Audited(ctx, s.run, a, "apiclient.view", "api_client", fmt.Sprint(id), err)
}

// Rotate gives the client a new token and returns it; the old one stops working at once.
func (s *Service) Rotate(ctx context.Context, a actor.Actor, id int64) (Client, string, error) {
	var out Client
	var token string
	err := s.run(ctx, func(tx Tx) error {
		c, err := load(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if c.Revoked() {
			return apperr.New(apperr.Conflict, "该接口客户端已吊销，不能更换令牌：请重新登记一个客户端")
		}
		var hash string
		if token, hash, c.TokenHint, err = newToken(); err != nil {
			return err
		}
		if err := tx.SetClientToken(ctx, id, hash, c.TokenHint); err != nil {
			return err
		}
		c.RotatedAt, out = tx.Now(), c
		e := audit.For(a, "apiclient.rotate", "api_client", fmt.Sprint(id))
		e.Office, e.Detail = c.Office, "hint="+c.TokenHint
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return Client{}, "", scope.Audited(ctx, s.run, a, "apiclient.rotate", "api_client", fmt.Sprint(id), err)
	}
	return out, token, nil
}

// Revoke ends the client's access for good. Revoking a revoked client changes nothing (a double
// submit of the form).
func (s *Service) Revoke(ctx context.Context, a actor.Actor, id int64) error {
	err := s.run(ctx, func(tx Tx) error {
		c, err := load(ctx, tx, a, id)
		if err != nil || c.Revoked() {
			return err
		}
		if err := tx.RevokeClient(ctx, id); err != nil {
			return err
		}
		e := audit.For(a, "apiclient.revoke", "api_client", fmt.Sprint(id))
		e.Office = c.Office
		return tx.AppendAudit(ctx, e)
	})
	return scope.Audited(ctx, s.run, a, "apiclient.revoke", "api_client", fmt.Sprint(id), err)
}

// unauthorized is the one answer to a bad, unknown or revoked token: it says nothing about which.
func unauthorized() error {
	return apperr.New(apperr.Unauthorized, "接口令牌无效或已吊销：请向残联系统管理员申请新的令牌")
}

// Authenticate resolves a bearer token to the client's actor for the results it may read, and
// records its last use. A revoked client's attempt is audited with its id (an unknown token is
// logged by the web layer as any refused request is).
func (s *Service) Authenticate(ctx context.Context, token, clientAddr string) (actor.Actor, error) {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, tokenPrefix) || len(token) != len(tokenPrefix)+43 {
		return actor.Actor{}, unauthorized()
	}
	var out actor.Actor
	var refused bool
	err := s.run(ctx, func(tx Tx) error {
		c, ok, err := tx.ClientByToken(ctx, hashToken(token))
		if err != nil || !ok {
			return err
		}
		a := actor.Actor{Name: fmt.Sprintf("税务接口客户端#%d %s", c.ID, c.Name), Role: actor.APIClient, Client: c.ID,
			TaxOffice: c.TaxOffice, Office: c.Office, ClientAddr: clientAddr}
		if c.Revoked() {
			// Committed with the refusal: the entry must outlive the answer.
			refused = true
			e := audit.For(a, "apiclient.auth", "api_client", fmt.Sprint(c.ID))
			e.Outcome, e.Office, e.Detail = audit.Failure, c.Office, "refused: revoked token"
			return tx.AppendAudit(ctx, e)
		}
		out = a
		return tx.TouchClient(ctx, c.ID, clientAddr)
	})
	if err != nil {
		return actor.Actor{}, fmt.Errorf("authenticate api client: %w", err)
	}
	if refused || out.Client == 0 {
		return actor.Actor{}, unauthorized()
	}
	return out, nil
}
