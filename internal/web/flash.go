package web

import (
	"net/url"
	"strings"
)

// flashMessages are the confirmations shown after a POST-redirect-GET (?done=key). Only these fixed
// texts can appear, so the query string cannot inject content into the page.
var flashMessages = map[string]string{
	"registered": "注册成功，请使用统一社会信用代码、密码和验证码登录。",
	"loggedout":  "您已安全退出。",
	// sign-in through the unified identity platform (issue 16)
	"platform-created": "您已通过统一身份认证平台登录，本系统已为贵单位建立账号。请先完善单位信息（带 * 的为必填项）并保存，再进行残疾人安置登记。",
	"platform-linked":  "您已通过统一身份认证平台登录，贵单位在本系统中原有的账号已与统一身份认证平台账号关联，今后请点击“我要申报”登录。",
	"password":         "密码已修改。",
	"staff-created":    "工作人员账号已创建。",
	"password-reset":   "密码已重置，该用户下次登录时须修改密码。",
	"user-disabled":    "账号已停用。",
	"user-enabled":     "账号已启用。",
	"must-change":      "管理员已重置您的密码，请先设置新密码。",
	// account security (issue 14)
	"must-enrol":     "工作人员账号须启用两步验证：请用手机验证器应用扫描下方二维码，输入显示的 6 位数字完成绑定后再使用其他功能。",
	"failed-logins":  "安全提醒：自您上次登录以来，有人用错误的密码尝试登录您的账号，详情见下方“最近的失败登录”。如不是您本人，请修改密码。",
	"session-ended":  "已退出该设备。",
	"sessions-ended": "已退出其他所有设备。",
	"mfa-disabled":   "两步验证已关闭。",
	"mfa-reset":      "已重置该用户的两步验证，其所有登录已结束；工作人员下次登录时须重新绑定。",
	// employer profile and affiliates (issue #6)
	"employer-saved":     "单位信息已保存。",
	"profile-incomplete": "请先完善单位信息（带 * 的项目），再进行残疾人安置登记。",
	"affiliate-added":    "关联单位已添加，已提交残联审核；审核通过后，其工资、社保、医保记录计入本单位。",
	"affiliate-saved":    "关联单位已保存。",
	"affiliate-deleted":  "关联单位已删除。",
	"affiliate-objected": "已提出异议，该关联单位申请审核不通过。",
	// review and declaration (issue #8)
	"review-decided":        "审核结果已提交。",
	"review-batch":          "所选申请已批量审核通过，每一项都已记录审核日志并通知单位。",
	"calendar-saved":        "工作日历已保存，审核办结期限已按新日历计算。",
	"messages-read":         "消息已标为已读。",
	"placement-returned":    "该人员已退回，单位将看到退回理由。",
	"declaration-submitted": "已完成申报，可下载年审认证确认书。",
	"reopen-requested":      "年审认证反馈已提交，请等待残联审核。",
	// notices and the administrator's console (issue #9)
	"notice-saved":       "通知公告已保存。",
	"notice-published":   "通知公告已发布。",
	"notice-unpublished": "通知公告已撤回，用户将看不到它。",
	"dict-saved":         "已保存。",
	"dict-deleted":       "已删除。",
	// placements (issue #7)
	"placement-saved":        "人员信息已保存，请核对逐月核验结果，选择申报月份后点击“保存，下一步”。",
	"placement-exists":       "该人员本业务年度已登记，已为您打开其核验页面。",
	"months-saved":           "申报月份已保存。",
	"placement-deleted":      "安置人员已删除。",
	"placement-reregistered": "已重新登记：人员信息已保留，修改后请点击“保存，下一步”重新选择申报月份。",
	// the clerk's year (issue 17): last year's list, Excel in
	"placements-copied":   "已复制上年名单。复制的人员为“未完成”状态，请逐一点击“查看”核验并保存申报月份。",
	"placements-imported": "已从 Excel 导入人员。导入的人员为“未完成”状态，请逐一上传劳动合同附件、核验并保存申报月份。",
	// the tax bureau's API clients (issue 15)
	"apiclient-revoked": "接口客户端已吊销，其令牌立即失效。",
}

// safeNext returns next when it is a path of this site (so the login page cannot send users to
// another site), else def. Browsers drop tabs and newlines from URLs and read "\\" as "/", so
// "/\t/evil.example" or "/\\evil" would leave the site: any control character, space or backslash
// refuses next, and so does anything with a scheme or a host.
func safeNext(next, def string) string {
	if len(next) < 1 || len(next) > 2000 || next[0] != '/' {
		return def
	}
	for _, r := range next {
		if r < 0x21 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) {
			return def
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") || strings.Contains(u.Path, "\\") ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") {
		return def
	}
	return next
}
