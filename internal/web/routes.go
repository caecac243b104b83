package web

import (
	"io/fs"
	"net/http"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/httpx"
	"quotacert/internal/metrics"
)

// Policy says who may call a route. Every route declares one; a test walks the list so that a route
// without a policy cannot be added by accident.
type Policy string

// Policies.
const (
	Public   Policy = "public"   // anyone, signed in or not
	Employer Policy = "employer" // signed-in employers
	Staff    Policy = "staff"    // reviewers and admins
	Admin    Policy = "admin"    // admins only
	Any      Policy = "any"      // any signed-in user
	// StaffOrClient: reviewers and admins, or a request with "Authorization: Bearer": the handler
	// then authenticates the tax bureau's API client itself (the results).
	StaffOrClient Policy = "staff-or-client"
)

// Route is one entry of the route list.
type Route struct {
	Pattern string // http.ServeMux pattern with method, e.g. "GET /login"
	Policy  Policy
	Handler http.HandlerFunc
}

// Routes lists every route of the HTML site and the API. Object-level checks (is this placement
// yours?) happen in the domain services; the policy here is the first gate only.
func (s *Server) Routes() []Route {
	return []Route{
		// Public pages, sign-in and accounts.
		{"GET /{$}", Public, s.handleHome},
		{"GET /healthz", Public, s.handleHealth},
		{"GET /readyz", Public, s.handleReady},
		{"GET /metrics", Public, s.handleMetrics},
		{"GET /login", Public, s.handleLoginPage},
		{"POST /login", Public, s.handleLogin},
		{"POST /login/otp", Public, s.handleLoginSecondStep},
		{"GET /login/oidc", Public, s.handlePlatformStart},
		{"GET /login/oidc/callback", Public, s.handlePlatformCallback},
		{"GET /captcha/{id}/audio.wav", Public, s.handleCaptchaAudio},
		{"GET /register", Public, s.handleRegisterPage},
		{"POST /register", Public, s.handleRegister},
		{"POST /logout", Public, s.handleLogout},
		{"GET /logout/platform", Public, s.handlePlatformLogout},
		{"GET /account/password", Any, s.handlePasswordPage},
		{"POST /account/password", Any, s.handlePasswordChange},
		{"GET /account/security", Any, s.handleSecurityPage},
		{"POST /account/sessions/end", Any, s.handleSessionEnd},
		{"POST /account/sessions/end-others", Any, s.handleSessionsEndOthers},
		{"GET /account/mfa", Any, s.handleMFAPage},
		{"POST /account/mfa", Any, s.handleMFAConfirm},
		{"POST /account/mfa/disable", Any, s.handleMFADisable},
		{"GET /verify/{code}", Public, s.handleVerifyPage},
		{"GET /api/v1/captcha", Public, s.handleAPICaptcha},
		{"POST /api/v1/register", Public, s.handleAPIRegister},
		{"POST /api/v1/login", Public, s.handleAPILogin},
		{"POST /api/v1/logout", Public, s.handleLogout},
		{"POST /api/v1/verify", Public, s.handleAPIVerify},
		{"GET /api/v1/openapi.json", Public, s.handleAPIOpenAPI},

		// Employer profile, affiliates, reference look-ups and attachments.
		{"GET /employer", Employer, s.handleEmployerPage},
		{"POST /employer", Employer, s.handleEmployerSave},
		{"GET /employer/affiliates/new", Employer, s.handleAffiliateNew},
		{"POST /employer/affiliates", Employer, s.handleAffiliateSave},
		{"GET /employer/affiliates/{id}/edit", Employer, s.handleAffiliateEdit},
		{"POST /employer/affiliates/{id}", Employer, s.handleAffiliateSave},
		{"GET /employer/affiliates/{id}/delete", Employer, s.handleAffiliateDeleteConfirm},
		{"POST /employer/affiliates/{id}/delete", Employer, s.handleAffiliateDelete},
		{"GET /api/v1/employer", Employer, s.handleAPIEmployer},
		{"PUT /api/v1/employer", Employer, s.handleAPIEmployerSave},
		{"GET /api/v1/employer/affiliates", Employer, s.handleAPIAffiliates},
		{"POST /api/v1/employer/affiliates", Employer, s.handleAPIAffiliateCreate},
		{"PUT /api/v1/employer/affiliates/{id}", Employer, s.handleAPIAffiliateUpdate},
		{"DELETE /api/v1/employer/affiliates/{id}", Employer, s.handleAPIAffiliateDelete},
		// Requests of other employers to count this employer as their affiliate, and the objection.
		{"GET /employer/affiliate-requests/{id}", Employer, s.handleAffiliateRequest},
		{"POST /employer/affiliate-requests/{id}/objection", Employer, s.handleAffiliateObjection},
		{"GET /api/v1/employer/affiliate-requests", Employer, s.handleAPIAffiliateRequests},
		{"POST /api/v1/employer/affiliate-requests/{id}/objection", Employer, s.handleAPIAffiliateObjection},
		{"GET /api/v1/regions", Any, s.handleAPIRegions},
		{"GET /api/v1/offices", Any, s.handleAPIOffices},
		{"POST /api/v1/files", Any, s.handleAPIFileUpload},
		{"GET /api/v1/files/{id}", Any, s.handleAPIFileDownload},

		// 残疾人安置管理: placements. Reading one placement is open to staff too: the placement
		// service scopes it to the employer or the staff's jurisdiction.
		{"GET /placements", Employer, s.handlePlacementList},
		{"GET /placements/new", Employer, s.handlePlacementNew},
		{"GET /placements/copy", Employer, s.handlePlacementCopyPage},
		{"POST /placements/copy", Employer, s.handlePlacementCopy},
		{"GET /placements/import", Employer, s.handlePlacementImportPage},
		{"POST /placements/import", Employer, s.handlePlacementImport},
		{"GET /placements/imports/{id}/errors.csv", Employer, s.handlePlacementImportErrors},
		{"POST /placements", Employer, s.handlePlacementCreate},
		{"GET /placements/{id}", Any, s.handlePlacementGrid},
		{"POST /placements/{id}/months", Employer, s.handlePlacementMonths},
		{"GET /placements/{id}/edit", Employer, s.handlePlacementEdit},
		{"POST /placements/{id}/edit", Employer, s.handlePlacementUpdate},
		{"POST /placements/{id}/reregister", Employer, s.handlePlacementReregister},
		{"GET /placements/{id}/delete", Employer, s.handlePlacementDeleteConfirm},
		{"POST /placements/{id}/delete", Employer, s.handlePlacementDelete},
		{"GET /api/v1/registry/persons/{idNumber}", Employer, s.handleAPIRegistryPerson},
		{"GET /api/v1/years/{year}/placements", Employer, s.handleAPIPlacements},
		{"POST /api/v1/years/{year}/placements", Employer, s.handleAPIPlacementCreate},
		{"POST /api/v1/years/{year}/placements/copy", Employer, s.handleAPIPlacementCopy},
		{"GET /api/v1/years/{year}/placements/template.xlsx", Employer, s.handleAPIPlacementTemplate},
		{"POST /api/v1/years/{year}/placements/import", Employer, s.handleAPIPlacementImport},
		{"GET /api/v1/years/{year}/placements.xlsx", Employer, s.handleAPIPlacementsXLSX},
		{"GET /api/v1/placements/{id}", Any, s.handleAPIPlacement},
		{"PUT /api/v1/placements/{id}", Employer, s.handleAPIPlacementUpdate},
		{"PUT /api/v1/placements/{id}/months", Employer, s.handleAPIPlacementMonths},
		{"DELETE /api/v1/placements/{id}", Employer, s.handleAPIPlacementDelete},
		{"POST /api/v1/placements/{id}/reregister", Employer, s.handleAPIPlacementReregister},

		// 完成申报: the employer's declaration, its pledge and certification letter.
		{"GET /declaration", Employer, s.handleDeclarationPage},
		{"POST /declaration/pledge", Employer, s.handleDeclarationPledge},
		{"POST /declaration/submit", Employer, s.handleDeclarationSubmit},
		{"POST /declaration/reopen", Employer, s.handleDeclarationReopen},
		{"GET /declaration/{year}/letter.pdf", Employer, s.handleLetterPDF},
		{"GET /api/v1/years/{year}/declaration", Employer, s.handleAPIDeclaration},
		{"POST /api/v1/years/{year}/declaration/submit", Employer, s.handleAPIDeclarationSubmit},
		{"GET /api/v1/years/{year}/declaration/letter.pdf", Employer, s.handleAPILetterPDF},
		{"POST /api/v1/years/{year}/declaration/reopen", Employer, s.handleAPIDeclarationReopen},

		// The federation's review: the queue, decisions, returns, and the certified results for tax.
		{"GET /review", Staff, s.handleReviewQueue},
		{"GET /review/items/{id}", Staff, s.handleReviewItem},
		{"POST /review/items/{id}/decision", Staff, s.handleReviewDecision},
		{"POST /review/placements/{id}/return", Staff, s.handleReviewReturn},
		{"POST /review/batch-approve", Staff, s.handleReviewBatchApprove},
		// 统计分析: the year's figures of the staff member's subtree, charts and exports.
		{"GET /stats", Staff, s.handleStats},
		{"GET /stats/{table}", Staff, s.handleStatsExport},

		// 消息中心: the employer's messages (the header shows the unread count).
		{"GET /messages", Employer, s.handleMessages},
		{"POST /messages/read", Employer, s.handleMessagesRead},
		{"GET /review/results", Staff, s.handleResultsPage},
		{"GET /review/results.xlsx", Staff, s.handleResultsXLSX},
		{"GET /api/v1/reviews", Staff, s.handleAPIReviews},
		{"POST /api/v1/reviews/{id}/decision", Staff, s.handleAPIReviewDecision},
		{"POST /api/v1/placements/{id}/return", Staff, s.handleAPIPlacementReturn},
		{"GET /api/v1/years/{year}/results", StaffOrClient, s.handleAPIResults},

		// 通知公告 for every signed-in user.
		{"GET /notices", Any, s.handleNotices},
		{"GET /notices/{id}", Any, s.handleNotice},
		{"GET /api/v1/notices", Any, s.handleAPINotices},
		{"GET /api/v1/notices/{id}", Any, s.handleAPINotice},

		// The administrator's console: accounts, audit, notices, dictionaries, data exchange.
		{"GET /admin/{$}", Admin, s.handleAdminHome},
		{"GET /admin/users", Admin, s.handleAdminUsers},
		{"POST /admin/users", Admin, s.handleAdminStaffCreate},
		{"POST /admin/users/{id}/reset", Admin, s.handleAdminUserReset},
		{"POST /admin/users/{id}/disable", Admin, s.handleAdminUserDisable},
		{"POST /admin/users/{id}/enable", Admin, s.handleAdminUserEnable},
		{"GET /admin/users/{id}/mfa-reset", Admin, s.handleAdminMFAResetConfirm},
		{"POST /admin/users/{id}/mfa-reset", Admin, s.handleAdminMFAReset},
		{"GET /admin/audit", Admin, s.handleAdminAudit},
		{"GET /admin/notices", Admin, s.handleAdminNotices},
		{"GET /admin/notices/new", Admin, s.handleAdminNoticeNew},
		{"POST /admin/notices", Admin, s.handleAdminNoticeSave},
		{"GET /admin/notices/{id}/edit", Admin, s.handleAdminNoticeEdit},
		{"POST /admin/notices/{id}", Admin, s.handleAdminNoticeSave},
		{"GET /admin/notices/{id}/{action}", Admin, s.handleAdminNoticeConfirm},
		{"POST /admin/notices/{id}/{action}", Admin, s.handleAdminNoticePublish},
		{"POST /api/v1/notices", Admin, s.handleAPINoticeCreate},
		{"GET /admin/regions", Admin, s.handleAdminRegions},
		{"POST /admin/regions", Admin, s.handleAdminRegionSave},
		{"GET /admin/offices/{kind}", Admin, s.handleAdminOffices},
		{"POST /admin/offices/{kind}", Admin, s.handleAdminOfficeSave},
		{"GET /admin/minwages", Admin, s.handleAdminWages},
		{"POST /admin/minwages", Admin, s.handleAdminWageSave},
		{"GET /admin/years", Admin, s.handleAdminYears},
		{"POST /admin/years", Admin, s.handleAdminYearSave},
		{"GET /admin/calendar", Admin, s.handleAdminCalendar},
		{"POST /admin/calendar", Admin, s.handleAdminCalendarSave},
		{"PUT /api/v1/years/{year}", Admin, s.handleAPIYearUpdate},
		{"GET /admin/levy", Admin, s.handleAdminLevies},
		{"POST /admin/levy", Admin, s.handleAdminLevySave},
		{"GET /admin/api-clients", Admin, s.handleAdminAPIClients},
		{"POST /admin/api-clients", Admin, s.handleAdminAPIClientCreate},
		{"GET /admin/api-clients/{id}/{action}", Admin, s.handleAdminAPIClientConfirm},
		{"POST /admin/api-clients/{id}/{action}", Admin, s.handleAdminAPIClientAction},
		{"GET /admin/imports", Admin, s.handleImportsPage},
		{"POST /admin/imports", Admin, s.handleImportUpload},
		{"GET /admin/imports/{id}", Admin, s.handleImportReport},
		{"GET /admin/imports/{id}/errors.csv", Admin, s.handleImportErrorsCSV},
	}
}

// Handler builds the complete HTTP handler: routes behind their policies, static files, the Chinese
// not-found page, and the middleware every request passes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, named(rt.Pattern, s.guard(rt.Policy, rt.Handler)))
	}
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", named("GET /static/", http.StripPrefix("/static/", s.staticFiles(static))))

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := w.(*codeRecorder); ok {
			c.csrf = true
		}
		s.renderError(w, r, apperr.New(apperr.Forbidden, "跨站请求被拒绝：请从本系统的页面提交，不要从其他网站或邮件中的链接提交"))
	}))
	var h http.Handler = s.checkRequestText(s.notFoundPages(mux))
	h = csrf.Handler(h)
	h = s.auditRefusals(mux, h)
	h = s.withActor(h)
	h = httpx.Recover(s.deps.Log, s.renderError, h)
	h = httpx.SecurityHeaders(h)
	h = httpx.StrictTransport(strings.HasPrefix(s.deps.PublicURL, "https://"), h)
	h = httpx.AccessLog(s.deps.Log, s.clientAddr, h)
	return s.deps.Metrics.Instrument(httpx.RequestIDs(h))
}

// named tells the metrics which route pattern answered the request.
func named(pattern string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		metrics.SetRoute(r.Context(), pattern)
		next.ServeHTTP(w, r)
	})
}

// guard enforces a route's policy: anonymous users are sent to the login page (or get 401 from the
// API); signed-in users of the wrong role get 403.
func (s *Server) guard(p Policy, next http.HandlerFunc) http.Handler {
	if p == Public {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p == StaffOrClient && r.Header.Get("Authorization") != "" {
			next(w, r)
			return
		}
		a, ok := s.actor(r)
		if !ok {
			if err := sessionFault(r); err != nil {
				// The session could not be read: say so (503), never "登录已失效".
				s.renderError(w, r, sessionUnavailable(err))
				return
			}
			if httpx.WantsJSON(r) || r.Method != http.MethodGet {
				s.renderError(w, r, apperr.New(apperr.Unauthorized, "登录已失效或尚未登录，请先登录"))
				return
			}
			http.Redirect(w, r, "/login?next="+r.URL.EscapedPath(), http.StatusSeeOther)
			return
		}
		allowed := p == Any ||
			(p == Employer && a.Role == actor.Employer) ||
			((p == Staff || p == StaffOrClient) && a.IsStaff()) ||
			(p == Admin && a.Role == actor.Admin)
		if !allowed {
			s.renderError(w, r, apperr.New(apperr.Forbidden, "您的账号无权使用此功能"))
			return
		}
		if a.MustEnrolTOTP && !a.MustChangePassword && r.URL.Path != enrolPath {
			// Staff who must have a second factor may only enrol (or log out: public) until they have.
			if httpx.WantsJSON(r) || r.Method != http.MethodGet {
				s.renderError(w, r, apperr.New(apperr.Forbidden, "工作人员账号须先启用两步验证：请在浏览器中登录并按提示用手机验证器应用扫码绑定"))
				return
			}
			http.Redirect(w, r, enrolPath+"?done=must-enrol", http.StatusSeeOther)
			return
		}
		if a.MustChangePassword && r.URL.Path != mustChangePath {
			// After an admin reset the session may only set a new password (or log out: public).
			if httpx.WantsJSON(r) || r.Method != http.MethodGet {
				s.renderError(w, r, apperr.New(apperr.Forbidden, "请先修改密码"))
				return
			}
			http.Redirect(w, r, mustChangePath+"?done=must-change", http.StatusSeeOther)
			return
		}
		next(w, r)
	})
}

// mustChangePath is the one page a user with a reset password may use.
const mustChangePath = "/account/password"

// staticFiles serves the embedded files, cached for an hour; a directory (or anything that is not a
// file) is the Chinese not-found page, never a listing.
func (s *Server) staticFiles(root fs.FS) http.Handler {
	files := http.FileServerFS(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if st, err := fs.Stat(root, name); name == "" || strings.HasSuffix(name, "/") || err != nil || st.IsDir() {
			s.renderError(w, r, apperr.NotFoundf("您访问的页面"))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// notFoundPages replaces the mux's plain-text 404 and 405 answers with the Chinese error page.
func (s *Server) notFoundPages(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &probe{header: http.Header{}}
		mux.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			s.renderError(w, r, &apperr.Error{Code: apperr.Invalid, Message: "不支持该请求方式"})
		default:
			s.renderError(w, r, apperr.NotFoundf("您访问的页面"))
		}
	})
}

// probe captures what the mux would answer for an unmatched request.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
func (p *probe) WriteHeader(code int)        { p.status = code }

// sessionUnavailable is the answer when the database failed while reading the session: the
// store's own 503 when it classified the fault, else a 503 all the same, since the session may
// well be valid.
func sessionUnavailable(err error) error {
	if apperr.CodeOf(err) == apperr.Unavailable {
		return err
	}
	return apperr.Wrap(apperr.Unavailable, "暂时无法确认登录状态（数据库暂时不可用），请稍后重试；您无需重新登录", err)
}
