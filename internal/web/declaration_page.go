package web

import (
	"fmt"
	"net/http"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/httpx"
	"quotacert/internal/rules"
)

// declarationView is the employer's declaration page (seed 第六步–第七步).
type declarationView struct {
	State       declaration.State
	Year        int
	Years       []int
	AverageWage string
	Levy        *declaration.Levy
	LevyError   string
	Error       string
	Fields      map[string]string
	Reason      string
}

// QuotaPercent shows R (basis points) as a percentage.
func (v declarationView) QuotaPercent() string {
	if v.Levy == nil {
		return ""
	}
	bp := v.Levy.Params.QuotaBasisPoints
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%02d", bp/100, bp%100), "0"), ".") + "%"
}

// ReductionText explains the last step of the estimate.
func (v declarationView) ReductionText() string {
	if v.Levy == nil {
		return ""
	}
	switch v.Levy.Estimate.Reduction {
	case rules.LevyExemptSmallEnterprise:
		return "在职职工人数不超过30人的企业，暂免征收（按0%计）"
	case rules.LevyQuotaMet:
		return "安排比例已达到规定比例，无需缴纳（按0%计）"
	case rules.LevyHalf:
		return "安排比例达到1%但未达到规定比例，按应缴费额的50%征收"
	case rules.LevyNinety:
		return "安排比例低于1%，按应缴费额的90%征收"
	}
	return "不在减征期内，按应缴费额全额征收"
}

// declarationYear is the business year the page is about (?year=, or the form's year on a POST),
// else the last calendar year.
func (s *Server) declarationYear(r *http.Request) int {
	v := r.URL.Query().Get("year")
	if r.Method == http.MethodPost {
		v = r.PostFormValue("year")
	}
	return yearOr(v, rules.ChinaDate(s.deps.Now()).Year-1)
}

func (s *Server) renderDeclaration(w http.ResponseWriter, r *http.Request, status int, v declarationView) {
	a, _ := s.actor(r)
	st, err := s.deps.Declarations.State(r.Context(), a, v.Year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.State = st
	v.Years = []int{v.Year - 1, v.Year, v.Year + 1}
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if v.AverageWage != "" {
		wage, err := rules.ParseYuan(strings.TrimSpace(v.AverageWage))
		if err != nil || wage <= 0 {
			v.Fields["averageWage"] = "请输入以元为单位的金额，最多两位小数，如 65000.00"
		} else if levy, err := s.deps.Declarations.EstimateLevy(r.Context(), a, v.Year, wage); err != nil {
			e := apperr.As(err)
			if e.Code == apperr.Internal {
				s.renderError(w, r, err)
				return
			}
			if m := e.Fields["averageWage"]; m != "" {
				v.Fields["averageWage"] = m
			} else {
				v.LevyError = e.Message
			}
		} else {
			v.Levy = &levy
		}
	}
	s.render(w, r, status, "declaration", Page{Title: fmt.Sprintf("%d年度申报", v.Year), Nav: "declaration", Data: v})
}

// handleDeclarationPage: GET /declaration?year=&averageWage= — summary, blockers, levy estimate,
// pledge, letter and reopen form. The estimate is a GET form: it changes nothing.
func (s *Server) handleDeclarationPage(w http.ResponseWriter, r *http.Request) {
	s.renderDeclaration(w, r, http.StatusOK, declarationView{Year: s.declarationYear(r), AverageWage: r.URL.Query().Get("averageWage")})
}

// handleDeclarationPledge: POST /declaration/pledge — step one: the pledge was read and confirmed
// (已阅读、确认); the final confirmation page (确定) follows. Nothing is stored yet.
func (s *Server) handleDeclarationPledge(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.declarationYear(r)
	if r.PostFormValue("pledgeAccepted") != "1" {
		s.renderDeclaration(w, r, http.StatusUnprocessableEntity, declarationView{Year: year, Error: "请先阅读承诺书并勾选“已阅读、确认”。",
			Fields: map[string]string{"pledgeAccepted": "请勾选“已阅读、确认”"}})
		return
	}
	st, err := s.deps.Declarations.State(r.Context(), a, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !st.CanSubmit {
		s.renderDeclaration(w, r, http.StatusConflict, declarationView{Year: year, Error: "暂不能完成申报，请先处理以下事项。"})
		return
	}
	s.render(w, r, http.StatusOK, "declaration_confirm", Page{Title: "确认完成申报", Nav: "declaration",
		Data: declarationView{State: st, Year: year}})
}

// handleDeclarationSubmit: POST /declaration/submit — step two (确定): 完成申报.
func (s *Server) handleDeclarationSubmit(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.declarationYear(r)
	_, err := s.deps.Declarations.Submit(r.Context(), a, year, r.PostFormValue("pledgeAccepted") == "1", a.ClientAddr)
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid || e.Code == apperr.Conflict {
			s.renderDeclaration(w, r, httpx.Status(e.Code), declarationView{Year: year, Error: e.Message, Fields: e.Fields})
			return
		}
		s.renderError(w, r, err)
		return
	}
	s.issueAfterSubmit(r.Context(), a, year)
	http.Redirect(w, r, fmt.Sprintf("/declaration?year=%d&done=declaration-submitted", year), http.StatusSeeOther)
}

// handleDeclarationReopen: POST /declaration/reopen — 年审认证反馈 with a reason.
func (s *Server) handleDeclarationReopen(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.declarationYear(r)
	reason := r.PostFormValue("reason")
	if err := s.deps.Declarations.RequestReopen(r.Context(), a, year, reason); err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid || e.Code == apperr.Conflict {
			s.renderDeclaration(w, r, httpx.Status(e.Code), declarationView{Year: year, Error: e.Message, Fields: e.Fields, Reason: reason})
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/declaration?year=%d&done=reopen-requested", year), http.StatusSeeOther)
}
