// Package apidoc is the OpenAPI 3 description of the whole /api/v1 (issue 15), served by the web
// package at GET /api/v1/openapi.json.
package apidoc

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The document is written here, in Go values rather than as a separate file, so that the
// small helpers below keep it short and a test (web/openapi_test.go) holds it to the routes and to real
// answers: every /api/v1 route of Routes() has its operation, and the answers of a scenario that
// walks the API are validated against it with github.com/getkin/kin-openapi.

// js is a JSON object of the document.
type js = map[string]any

func str(desc string) js     { return withDesc(js{"type": "string"}, desc) }
func integer(desc string) js { return withDesc(js{"type": "integer"}, desc) }
func number(desc string) js  { return withDesc(js{"type": "number"}, desc) }
func boolean(desc string) js { return withDesc(js{"type": "boolean"}, desc) }
func date(desc string) js    { return withDesc(js{"type": "string", "format": "date"}, desc) }
func dateTime(desc string) js {
	return withDesc(js{"type": "string", "format": "date-time"}, desc)
}
func enum(desc string, values ...string) js {
	return withDesc(js{"type": "string", "enum": values}, desc)
}
func arr(items js) js    { return js{"type": "array", "items": items} }
func ref(name string) js { return js{"$ref": "#/components/schemas/" + name} }
func nullable(s js) js   { s["nullable"] = true; return s }
func strMap(desc string) js {
	return withDesc(js{"type": "object", "additionalProperties": js{"type": "string"}}, desc)
}

func withDesc(s js, desc string) js {
	if desc != "" {
		s["description"] = desc
	}
	return s
}

// obj is an object schema; the properties named in required must be present. Other properties are
// allowed: the API grows by additions (CONTRACT.md), and old clients ignore what they do not know.
func obj(required []string, props js) js {
	s := js{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// keys lists the property names of props, for obj's required list: every documented field is
// always present.
func keys(props js) []string {
	out := make([]string, 0, len(props))
	for k := range props {
		out = append(out, k)
	}
	return out
}

// all is an object whose documented properties are all required.
func all(props js) js { return obj(keys(props), props) }

func items(item js) js { return all(js{"items": arr(item)}) }

// operation is one method of a path.
type operation struct {
	method, path string
	summary      string
	tag          string
	access       string // public, employer, staff, admin, any, staff-or-client
	params       []js
	body         js // request body media types → schema
	ok           int
	okBody       js // response media types → schema; nil for no content
	desc         string
}

func jsonBody(schema js) js { return js{"application/json": js{"schema": schema}} }

func binary(types ...string) js {
	out := js{}
	for _, t := range types {
		out[t] = js{"schema": js{"type": "string", "format": "binary"}}
	}
	return out
}

func pathParam(name, desc string, schema js) js {
	return js{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
}

func query(name, desc string, schema js) js {
	return js{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
}

var (
	yearParam = pathParam("year", "业务年度，如 2025", js{"type": "integer", "minimum": 2000, "maximum": 2100})
	idParam   = pathParam("id", "对象编号", js{"type": "integer", "minimum": 1})
	pageQuery = []js{query("page", "页码，从 1 开始", js{"type": "integer", "minimum": 1}),
		query("pageSize", "每页条数，默认 50，至多 500", js{"type": "integer", "minimum": 1, "maximum": 500})}
)

// schemas are the shared components.
func schemas() js {
	file := all(js{"id": str("附件编号"), "name": str("文件名"), "size": integer("字节数")})
	return js{
		"Error": all(js{"error": obj([]string{"code", "message"}, js{
			"code":      str("错误类别：invalid（422）、unauthorized（401）、forbidden（403）、not_found（404）、conflict（409）、throttled（429）、internal（500）等"),
			"message":   str("中文说明"),
			"fields":    strMap("逐项的中文说明，键为字段名"),
			"requestId": str("请求编号，联系技术支持时提供"),
		})}),
		"File": file,
		"Profile": obj([]string{"creditCode", "name", "federationOffice", "taxOffice", "district", "contactName", "contactPhone",
			"employeeCount", "address"}, js{
			"creditCode": str("统一社会信用代码"), "name": str("单位名称"), "federationOffice": str("残联机构代码"),
			"taxOffice": str("主管税务机关代码"), "district": str("所在行政区划（6 位）"), "contactName": str("联系人"),
			"contactPhone": str("联系电话"), "employeeCount": integer("在职职工人数"), "address": str("地址"),
			"enterprise": boolean("是否企业"), "complete": boolean("必填项是否齐全"), "missing": nullable(arr(str(""))),
		}),
		"Affiliate": obj([]string{"id", "creditCode", "name", "kind", "review"}, js{
			"id": integer(""), "creditCode": str(""), "name": str(""), "kind": enum("子公司或劳务派遣单位", "subsidiary", "dispatch"),
			"locked": boolean("已被已申报年度使用，不能修改"), "fileIds": nullable(arr(str(""))), "files": nullable(arr(file)),
			"review": obj([]string{"status", "label", "objected"}, js{
				"status": enum("", "pending", "approved", "rejected"), "label": str(""), "comment": str(""),
				"objected": boolean(""), "decidedAt": nullable(dateTime("")),
			}),
		}),
		"AffiliateRequest": obj([]string{"id", "employer", "name", "kind", "status", "objected", "createdAt"}, js{
			"id": integer(""), "employer": ref("EmployerRef"), "name": str(""), "kind": str(""), "status": str(""),
			"objected": boolean(""), "comment": str(""), "createdAt": dateTime(""),
		}),
		"EmployerRef": all(js{"creditCode": str(""), "name": str("")}),
		"RegistryCertificate": obj([]string{"number", "level", "issued", "status"}, js{
			"kind": str(""), "number": str("证号（已遮蔽）"), "category": integer("残疾类别"), "level": integer("残疾等级"),
			"grade": integer("伤残等级（残疾军人证）"), "issued": str("发证日期"), "validUntil": nullable(str("有效期至")), "status": str("证件状态"),
		}),
		"Summary": obj([]string{"persons", "confirmed", "pending", "rejected", "countedMonths", "equivalentPersons"}, js{
			"persons": integer(""), "confirmed": integer(""), "pending": integer(""), "rejected": integer(""),
			"countedMonths": integer("认定月数"), "equivalentPersons": number("折算人数"), "pendingMonths": integer("待审核月数"),
		}),
		"PlacementRow": obj([]string{"id", "idNumberMasked", "name", "status", "dispatched", "countedMonths"}, js{
			"id": integer(""), "idNumberMasked": str("遮蔽的身份证号"), "name": str(""),
			"status": enum("安置状态", "draft", "pending", "confirmed", "rejected"), "dispatched": boolean("劳务派遣"), "countedMonths": integer(""),
		}),
		"Placement": obj([]string{"id", "year", "status", "idNumberMasked", "name", "gender", "birthDate", "months"}, js{
			"id": integer(""), "year": integer(""), "status": enum("", "draft", "pending", "confirmed", "rejected"),
			"returnReason": str("退回理由"), "idNumber": str(""), "idNumberMasked": str(""), "name": str(""), "gender": str("男或女"),
			"birthDate": str(""), "certificateKind": str(""), "category": integer(""), "level": integer(""), "grade": integer(""),
			"dispatched": boolean(""), "affiliateId": nullable(integer("")), "femaleRetirementAge": integer(""),
			"graduate": nullable(js{"type": "object"}), "contracts": nullable(arr(js{"type": "object"})),
			"certificates": nullable(arr(js{"type": "object"})), "registryCertificates": nullable(arr(ref("RegistryCertificate"))),
			"yearLocked": boolean(""), "saved": boolean(""), "passedMonths": integer(""), "equivalentPersons": number(""),
			"months": arr(obj([]string{"month", "checks", "passed", "selected", "locked"}, js{
				"month": str("YYYY-MM"), "checks": js{"type": "object", "additionalProperties": js{"type": "boolean"},
					"description": "六项核验：wage, socialInsurance, medicalInsurance, certificate, workingAge, contract"},
				"passed": boolean(""), "pendingCertificate": boolean(""), "reasons": nullable(arr(str(""))), "selected": boolean(""),
				"locked": boolean(""), "takenElsewhere": boolean(""), "hold": str(""), "weight": integer(""),
				"claim": nullable(obj([]string{"status"}, js{"status": enum("", "pending", "approved", "rejected"),
					"fileIds": nullable(arr(str(""))), "note": str(""), "comment": str("")})),
			})),
		}),
		"ReviewItem": obj([]string{"id", "kind", "employer", "placementId", "month", "createdAt"}, js{
			"id": integer(""), "kind": enum("", "claim", "certificate", "reopen", "affiliate"), "employer": ref("EmployerRef"),
			"placementId": nullable(integer("")), "month": nullable(str("")), "createdAt": dateTime(""), "year": integer(""),
			"status": str(""), "note": str(""), "comment": str(""), "dueDate": str("办理期限"),
			"affiliate": nullable(obj(nil, js{"id": integer(""), "creditCode": str(""), "name": str(""), "kind": str("")})),
			"objected":  boolean(""),
		}),
		"Declaration": obj([]string{"status", "canSubmit", "blockers", "pledge", "letter"}, js{
			"status": enum("", "open", "submitted", "reopen-requested"), "canSubmit": boolean(""), "blockers": nullable(arr(str(""))),
			"pledge": all(js{"version": str(""), "text": str("")}),
			"letter": nullable(all(js{"number": str("确认书编号"), "verifyCode": str("验证码")})),
		}),
		"Result": obj([]string{"creditCode", "name", "taxOffice", "persons", "countedMonths", "equivalentPersons", "letterNumber", "status"}, js{
			"creditCode": str(""), "name": str(""), "taxOffice": str("主管税务机关代码"), "persons": integer("安排残疾人人数"),
			"countedMonths": integer("认定月数"), "equivalentPersons": number("折算人数"), "letterNumber": str("确认书编号"),
			"status":    enum("valid 有效，cancelled 已作废（年审认证反馈获批后）", "valid", "cancelled"),
			"changedAt": dateTime("增量读取时给出：该行最后一次变化（出具或作废）被数据库记录的时间"),
		}),
		"Notice": obj([]string{"id", "title", "publishedAt"}, js{"id": integer(""), "title": str(""),
			"publishedAt": nullable(str("")), "read": boolean("")}),
		"Year": obj([]string{"year", "windowOpen", "windowClose"}, js{"year": integer(""), "windowOpen": str(""),
			"windowClose": str(""), "pledgeVersion": str(""), "certValidAtSubmission": boolean("")}),
		"VerifyResult": obj([]string{"year", "passedMonths", "equivalentPersons", "months"}, js{
			"year": integer(""), "passedMonths": integer(""), "equivalentPersons": number(""),
			"months": arr(obj([]string{"month", "passed", "weight", "reasons"}, js{"month": str(""), "wage": boolean(""),
				"socialInsurance": boolean(""), "medicalInsurance": boolean(""), "certificate": boolean(""), "workingAge": boolean(""),
				"contract": boolean(""), "passed": boolean(""), "weight": integer(""), "reasons": nullable(arr(str("")))})),
		}),
	}
}

// operations lists every /api/v1 operation, in the order of Routes().
func operations() []operation {
	login := obj([]string{"password"}, js{"creditCode": str("单位登录：统一社会信用代码"), "username": str("工作人员登录：用户名"),
		"password": str(""), "captchaId": str(""), "captcha": str(""), "otp": str("两步验证的 6 位数字")})
	register := obj([]string{"creditCode", "name", "password", "contactName", "contactPhone"}, js{"creditCode": str(""),
		"name": str(""), "password": str(""), "contactName": str(""), "contactPhone": str(""), "captchaId": str(""), "captcha": str("")})
	affiliateIn := obj([]string{"creditCode", "name", "kind"}, js{"creditCode": str(""), "name": str(""),
		"kind": enum("", "subsidiary", "dispatch"), "fileIds": arr(str(""))})
	placementIn := obj([]string{"idNumber", "name"}, js{"idNumber": str("身份证号"), "name": str(""), "gender": str(""),
		"birthDate": str(""), "certificateKind": str("disability 或 veteran"), "category": integer(""), "level": integer(""),
		"grade": integer(""), "dispatched": boolean(""), "affiliateId": integer(""), "femaleRetirementAge": integer(""),
		"graduate": js{"type": "object"}, "contracts": arr(js{"type": "object"}), "certificates": arr(js{"type": "object"})})
	idOut := all(js{"id": integer("")})
	idStatus := all(js{"id": integer(""), "status": str("")})
	multipartFile := js{"multipart/form-data": js{"schema": obj([]string{"file"}, js{"file": js{"type": "string", "format": "binary"}})}}
	xlsx := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	return []operation{
		{method: "get", path: "/captcha", summary: "取图形验证码", tag: "账号", access: "public", ok: 200,
			okBody: jsonBody(obj([]string{"id", "image"}, js{"id": str(""), "image": str("PNG 图片的 data URL"), "audio": str("语音验证码地址")}))},
		{method: "post", path: "/register", summary: "用人单位注册", tag: "账号", access: "public", body: jsonBody(register), ok: 201,
			okBody: jsonBody(all(js{"creditCode": str("")}))},
		{method: "post", path: "/login", summary: "登录（会话 Cookie）", tag: "账号", access: "public", body: jsonBody(login), ok: 200,
			okBody: jsonBody(obj([]string{"role"}, js{"role": enum("", "employer", "reviewer", "admin"), "mustChangePassword": boolean(""),
				"mustEnrolTotp": boolean(""), "failedAttempts": nullable(arr(obj(nil, js{"network": str(""), "count": integer(""), "last": dateTime("")})))}))},
		{method: "post", path: "/logout", summary: "退出登录", tag: "账号", access: "public", ok: 204},
		{method: "post", path: "/verify", summary: "核验一个案例（不保存）", tag: "核验", access: "public",
			body: jsonBody(obj([]string{"year", "person"}, js{"year": integer(""), "region": str(""), "person": js{"type": "object"}})),
			ok:   200, okBody: jsonBody(ref("VerifyResult")), desc: "案例格式见 CONTRACT.md 的 Verification case。"},

		{method: "get", path: "/employer", summary: "本单位信息", tag: "用人单位", access: "employer", ok: 200, okBody: jsonBody(ref("Profile"))},
		{method: "put", path: "/employer", summary: "保存本单位信息", tag: "用人单位", access: "employer", body: jsonBody(js{"type": "object"}),
			ok: 200, okBody: jsonBody(ref("Profile"))},
		{method: "get", path: "/employer/affiliates", summary: "关联单位列表", tag: "用人单位", access: "employer", ok: 200,
			okBody: jsonBody(items(ref("Affiliate")))},
		{method: "post", path: "/employer/affiliates", summary: "添加关联单位（待审核）", tag: "用人单位", access: "employer",
			body: jsonBody(affiliateIn), ok: 201, okBody: jsonBody(ref("Affiliate"))},
		{method: "put", path: "/employer/affiliates/{id}", summary: "修改关联单位", tag: "用人单位", access: "employer", params: []js{idParam},
			body: jsonBody(affiliateIn), ok: 200, okBody: jsonBody(ref("Affiliate"))},
		{method: "delete", path: "/employer/affiliates/{id}", summary: "删除关联单位", tag: "用人单位", access: "employer", params: []js{idParam}, ok: 204},
		{method: "get", path: "/employer/affiliate-requests", summary: "其他单位把本单位登记为关联单位的申请", tag: "用人单位", access: "employer",
			ok: 200, okBody: jsonBody(items(ref("AffiliateRequest")))},
		{method: "post", path: "/employer/affiliate-requests/{id}/objection", summary: "对关联单位申请提出异议", tag: "用人单位",
			access: "employer", params: []js{idParam}, body: jsonBody(all(js{"reason": str("")})), ok: 200, okBody: jsonBody(ref("AffiliateRequest"))},
		{method: "get", path: "/regions", summary: "行政区划", tag: "字典", access: "any", params: []js{query("parent", "上级区划代码", str(""))},
			ok: 200, okBody: jsonBody(items(all(js{"code": str(""), "name": str("")})))},
		{method: "get", path: "/offices", summary: "残联机构或税务机关", tag: "字典", access: "any",
			params: []js{query("kind", "federation 或 tax", enum("", "federation", "tax"))},
			ok:     200, okBody: jsonBody(items(all(js{"code": str(""), "name": str(""), "region": str("")})))},
		{method: "post", path: "/files", summary: "上传附件（PDF、JPEG、PNG，至多 10 MiB）", tag: "附件", access: "any", body: multipartFile,
			ok: 201, okBody: jsonBody(all(js{"id": str(""), "name": str(""), "size": integer(""), "sha256": str("")}))},
		{method: "get", path: "/files/{id}", summary: "下载附件（本单位及其辖区工作人员）", tag: "附件", access: "any",
			params: []js{pathParam("id", "附件编号", str(""))}, ok: 200, okBody: binary("application/pdf", "image/jpeg", "image/png")},

		{method: "get", path: "/registry/persons/{idNumber}", summary: "按身份证号查询残疾人证（限频、审计）", tag: "安置", access: "employer",
			params: []js{pathParam("idNumber", "身份证号", str(""))}, ok: 200,
			okBody: jsonBody(all(js{"person": obj([]string{"idNumber", "name"}, js{"idNumber": str(""), "name": str(""), "gender": str(""),
				"birthDate": str("")}), "certificates": arr(ref("RegistryCertificate"))}))},
		{method: "get", path: "/years/{year}/placements", summary: "本年度安置人员（分页、搜索、筛选）", tag: "安置", access: "employer",
			params: append([]js{yearParam, query("q", "姓名或身份证号末几位", str("")), query("status", "安置状态", str(""))}, pageQuery...),
			ok:     200, okBody: jsonBody(obj([]string{"summary", "items"}, js{"summary": ref("Summary"), "items": arr(ref("PlacementRow")),
				"total": integer(""), "page": integer(""), "pageSize": integer(""), "next": nullable(str(""))}))},
		{method: "post", path: "/years/{year}/placements", summary: "登记安置人员", tag: "安置", access: "employer", params: []js{yearParam},
			body: jsonBody(placementIn), ok: 201, okBody: jsonBody(idOut)},
		{method: "post", path: "/years/{year}/placements/copy", summary: "复制上年名单", tag: "安置", access: "employer", params: []js{yearParam},
			body: jsonBody(obj([]string{"fromYear"}, js{"fromYear": integer(""), "placementIds": arr(integer(""))})), ok: 200,
			okBody: jsonBody(all(js{"created": arr(all(js{"id": integer(""), "fromId": integer("")})),
				"skipped": arr(all(js{"fromId": integer(""), "reason": str("")}))}))},
		{method: "get", path: "/years/{year}/placements/template.xlsx", summary: "批量导入模板", tag: "安置", access: "employer",
			params: []js{yearParam}, ok: 200, okBody: binary(xlsx)},
		{method: "post", path: "/years/{year}/placements/import", summary: "从 Excel 批量导入（全部成功或全部不导入）", tag: "安置",
			access: "employer", params: []js{yearParam}, body: multipartFile, ok: 201,
			okBody: jsonBody(obj([]string{"created"}, js{"created": integer(""), "ids": arr(integer(""))}))},
		{method: "get", path: "/years/{year}/placements.xlsx", summary: "导出安置名单", tag: "安置", access: "employer", params: []js{yearParam},
			ok: 200, okBody: binary(xlsx)},
		{method: "get", path: "/placements/{id}", summary: "安置人员及逐月核验", tag: "安置", access: "any", params: []js{idParam}, ok: 200,
			okBody: jsonBody(ref("Placement"))},
		{method: "put", path: "/placements/{id}", summary: "修改安置人员", tag: "安置", access: "employer", params: []js{idParam},
			body: jsonBody(placementIn), ok: 200, okBody: jsonBody(idOut)},
		{method: "put", path: "/placements/{id}/months", summary: "保存申报月份与核验未通过月份申请", tag: "安置", access: "employer",
			params: []js{idParam}, body: jsonBody(obj(nil, js{"selected": arr(str("YYYY-MM")),
				"claims": arr(obj([]string{"month"}, js{"month": str(""), "fileIds": arr(str("")), "note": str("")}))})),
			ok: 200, okBody: jsonBody(idStatus)},
		{method: "delete", path: "/placements/{id}", summary: "删除安置人员", tag: "安置", access: "employer", params: []js{idParam}, ok: 204},
		{method: "post", path: "/placements/{id}/reregister", summary: "被退回的人员重新登记", tag: "安置", access: "employer",
			params: []js{idParam}, ok: 200, okBody: jsonBody(idStatus)},

		{method: "get", path: "/years/{year}/declaration", summary: "本年度申报状态", tag: "申报", access: "employer", params: []js{yearParam},
			ok: 200, okBody: jsonBody(ref("Declaration"))},
		{method: "post", path: "/years/{year}/declaration/submit", summary: "完成申报（须接受承诺书）", tag: "申报", access: "employer",
			params: []js{yearParam}, body: jsonBody(all(js{"pledgeAccepted": boolean("")})), ok: 200, okBody: jsonBody(ref("Declaration"))},
		{method: "get", path: "/years/{year}/declaration/letter.pdf", summary: "下载年审认证确认书", tag: "申报", access: "employer",
			params: []js{yearParam}, ok: 200, okBody: binary("application/pdf")},
		{method: "post", path: "/years/{year}/declaration/reopen", summary: "年审认证反馈（申请重新申报）", tag: "申报", access: "employer",
			params: []js{yearParam}, body: jsonBody(all(js{"reason": str("")})), ok: 200, okBody: jsonBody(ref("Declaration"))},

		{method: "get", path: "/reviews", summary: "审核事项（本辖区）", tag: "审核", access: "staff",
			params: append([]js{query("status", "pending、approved、rejected", str("")), query("kind", "事项类别", str("")),
				query("employer", "单位名称或代码", str("")), query("district", "行政区划", str("")), query("year", "业务年度", integer("")),
				query("age", "等待超过的天数", integer(""))}, pageQuery...),
			ok: 200, okBody: jsonBody(obj([]string{"items"}, js{"items": arr(ref("ReviewItem")), "total": integer(""), "page": integer(""),
				"pageSize": integer("")}))},
		{method: "post", path: "/reviews/{id}/decision", summary: "审核决定（不可更改）", tag: "审核", access: "staff", params: []js{idParam},
			body: jsonBody(obj([]string{"approve"}, js{"approve": boolean(""), "comment": str("不通过时必填")})), ok: 200,
			okBody: jsonBody(ref("ReviewItem"))},
		{method: "post", path: "/placements/{id}/return", summary: "退回安置人员", tag: "审核", access: "staff", params: []js{idParam},
			body: jsonBody(all(js{"reason": str("")})), ok: 200, okBody: jsonBody(idStatus)},
		{method: "get", path: "/years/{year}/results", summary: "认证结果（供税务部门）", tag: "税务接口", access: "staff-or-client",
			params: append([]js{yearParam,
				query("since", "增量读取：只返回此时刻（RFC 3339，含）及以后变化的行，含作废", dateTime("")),
				query("after", "增量读取：上次返回的 cursor；只返回其后提交的变化，不漏不重", str("")),
				query("total", "增量读取：首页返回的 total，由 next 带上，后续页不再重新计数", integer("")),
				query("q", "工作人员分页读取：单位名称或统一社会信用代码的一部分", str("")),
				query("status", "工作人员分页读取：valid 或 cancelled", str("")),
				query("sort", "工作人员分页读取：name 或 status（默认按统一社会信用代码）", str(""))}, pageQuery...),
			ok: 200, okBody: js{
				"application/json": js{"schema": obj([]string{"items"}, js{
					"items": arr(ref("Result")), "total": integer("本次查询的总行数（增量读取时为本轮首页计得的游标之后的行数）"),
					"page": integer("工作人员分页读取时的页码"), "pageSize": integer(""),
					"cursor": str("增量读取时给出：下次以 after=cursor 继续"), "next": nullable(str("下一页的地址；最后一页为 null")),
				})},
				"text/csv": js{"schema": js{"type": "string"}},
			},
			desc: "工作人员以会话读取本辖区，默认按统一社会信用代码分页（page、pageSize）。税务接口客户端以 Authorization: Bearer 令牌读取登记时选定的" +
				"税务机关及其下级辖区（或全省），总是按变化提交的顺序返回（增量读取）：首次不带参数读全部，按 next 翻页；之后以 after=上次的 cursor 轮询，" +
				"只得到其后出具或作废的确认书，不会遗漏也不会重复。since 可代替 after 作为起点（含该时刻，可能重复该时刻的行）。" +
				"Accept: text/csv 得到 CSV；增量读取时多一列 changedAt，游标在响应头 X-Cursor，下一页在 Link 头。"},

		{method: "get", path: "/notices", summary: "通知公告", tag: "通知公告", access: "any",
			params: append([]js{query("q", "标题或正文关键词", str(""))}, pageQuery...), ok: 200,
			okBody: jsonBody(obj([]string{"items"}, js{"items": arr(ref("Notice")), "total": integer(""), "page": integer(""),
				"pages": integer(""), "pageSize": integer("")}))},
		{method: "get", path: "/notices/{id}", summary: "通知公告正文", tag: "通知公告", access: "any", params: []js{idParam}, ok: 200,
			okBody: jsonBody(obj([]string{"id", "title", "html"}, js{"id": integer(""), "title": str(""), "html": str("已净化的 HTML"),
				"publishedAt": nullable(str("")), "attachments": nullable(arr(js{"type": "object"}))}))},
		{method: "post", path: "/notices", summary: "发布通知公告（管理员）", tag: "通知公告", access: "admin",
			body: jsonBody(obj([]string{"title", "body"}, js{"title": str(""), "body": str("Markdown"), "office": str("发布范围（残联机构）"),
				"draft": boolean("保存为草稿")})), ok: 201, okBody: jsonBody(idOut)},
		{method: "put", path: "/years/{year}", summary: "设置申报期（管理员，全省统一）", tag: "管理", access: "admin", params: []js{yearParam},
			body: jsonBody(obj([]string{"windowOpen", "windowClose"}, js{"windowOpen": date(""), "windowClose": date("")})), ok: 200,
			okBody: jsonBody(ref("Year"))},
		{method: "get", path: "/openapi.json", summary: "本接口说明（OpenAPI 3）", tag: "说明", access: "public", ok: 200,
			okBody: jsonBody(js{"type": "object"})},
	}
}

// security is the OpenAPI security of a policy.
func security(access string) []js {
	switch access {
	case "public":
		return []js{}
	case "staff-or-client":
		return []js{{"session": []string{}}, {"bearer": []string{}}}
	}
	return []js{{"session": []string{}}}
}

var accessText = map[string]string{
	"public": "无需登录。", "employer": "用人单位登录后使用。", "staff": "残联工作人员登录后使用，限本辖区。",
	"admin": "系统管理员登录后使用，限本辖区。", "any": "任何已登录用户。",
	"staff-or-client": "残联工作人员（会话）或税务接口客户端（Bearer 令牌）。",
}

// Document builds the document; cookie and secureCookie are the session cookie's names.
func Document(cookie, secureCookie string) ([]byte, error) {
	paths := js{}
	for _, op := range operations() {
		item, _ := paths[op.path].(js)
		if item == nil {
			item = js{}
			paths[op.path] = item
		}
		responses := js{"default": js{"description": "错误：见 Error", "content": jsonBody(ref("Error"))}}
		okResp := js{"description": "成功"}
		if op.okBody != nil {
			okResp["content"] = op.okBody
		}
		responses[fmt.Sprint(op.ok)] = okResp
		o := js{"summary": op.summary, "tags": []string{op.tag}, "operationId": operationID(op.method, op.path),
			"description": strings.TrimSpace(accessText[op.access] + " " + op.desc), "security": security(op.access), "responses": responses}
		if op.params != nil {
			o["parameters"] = op.params
		}
		if op.body != nil {
			o["requestBody"] = js{"required": true, "content": op.body}
		}
		item[op.method] = o
	}
	doc := js{
		"openapi": "3.0.3",
		"info": js{"title": "残疾人按比例就业情况联网认证 API", "version": "1",
			"description": "JSON 接口（/api/v1）。错误统一为 {\"error\": {\"code\", \"message\", \"fields\"}}：422 输入有误，401 未登录或令牌无效，" +
				"403 无权，404 不存在或不属于您，409 状态冲突，429 过于频繁，503 暂时不可用。修改类请求须来自本站页面（跨站请求 403）。"},
		"servers": []js{{"url": "/api/v1"}},
		"paths":   paths,
		"components": js{"schemas": schemas(), "securitySchemes": js{
			"session": js{"type": "apiKey", "in": "cookie", "name": cookie,
				"description": "POST /login 设置的会话 Cookie（HTTPS 下名为 " + secureCookie + "）"},
			"bearer": js{"type": "http", "scheme": "bearer", "description": "税务接口客户端的令牌（qct_ 开头），由系统管理员登记时生成，只显示一次"},
		}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// operationID is a stable name of an operation: method and path, e.g. get_years_year_results.
func operationID(method, path string) string {
	r := strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_")
	return method + r.Replace(path)
}
