// Package sheet is the clerk's workbook of placements: the Excel template an employer fills to
// register many persons at once (Template), the reader of a filled one (Read) and the list export
// (Export). One list of columns serves the template, its instructions and the reader, so they
// cannot drift apart.
//
// Uploaded workbooks are hostile input. Read bounds what a file may cost before anything is
// parsed: its size, its size unzipped, the rows and the length of each cell; the data sheet is
// read as a stream; a formula cell is refused (its cached value could say anything), and so is a
// file without data rows. Errors name the row and the column, never the value (it may be an ID
// number).
package sheet

import (
	"quotacert/internal/placement"
)

// The sheets of the workbook.
const (
	DataSheet = "安置人员"
	HelpSheet = "填写说明"
)

// column is one column of the data sheet: its header (the Chinese name of the Input field it
// fills, placement.FieldLabel, so that errors name it as the sheet does), whether it must be
// filled, how, an example and the choices offered by the data validation list.
type column struct {
	key      string // the placement.Input field; "affiliateId" is the agency's credit code
	required string // "是", or when it is required
	help     string
	example  string
	choices  []string
	width    float64
	date     bool
}

// Header is the column's header cell: its label, with * when required.
func (c column) header() string {
	h := placement.FieldLabel(c.key)
	if c.required == "是" {
		h += "*"
	}
	return h
}

// The choices of the lists, as the reader understands them.
var (
	kindChoices     = []string{"残疾人证", "残疾军人证"}
	categoryChoices = []string{"视力", "听力", "言语", "肢体", "智力", "精神", "多重"}
	levelChoices    = []string{"一级", "二级", "三级", "四级"}
	gradeChoices    = []string{"一级", "二级", "三级", "四级", "五级", "六级", "七级", "八级", "九级", "十级"}
	yesNo           = []string{"是", "否"}
	sexChoices      = []string{"男", "女"}
	ageChoices      = []string{"50", "55"}
)

// columns are the data sheet's columns, in order. The example row is a fictitious person (the
// test vector of GB 11643 in DOMAIN.md).
var columns = []column{
	{key: "idNumber", required: "是", help: "18 位居民身份证号，末位 X 大小写均可；请保持单元格为文本格式，不要写成数字", example: "11010519491231002X", width: 22},
	{key: "name", required: "是", help: "姓名，最多 50 个字", example: "（示例）张三", width: 14},
	{key: "gender", required: "否", help: "男或女；可不填，由身份证号得出（填写时须与身份证号一致）", example: "女", choices: sexChoices, width: 8},
	{key: "certificateKind", required: "是", help: "残疾人证或残疾军人证；不填按残疾人证", example: "残疾人证", choices: kindChoices, width: 12},
	{key: "category", required: "残疾人证必填", help: "视力、听力、言语、肢体、智力、精神、多重（或 1–7）", example: "肢体", choices: categoryChoices, width: 10},
	{key: "level", required: "残疾人证必填", help: "一级至四级（或 1–4），一级最重", example: "三级", choices: levelChoices, width: 10},
	{key: "grade", required: "残疾军人证必填", help: "残疾军人证的伤残等级，一级至十级（或 1–10），一级最重", example: "", choices: gradeChoices, width: 10},
	{key: "dispatched", required: "是", help: "是或否", example: "否", choices: yesNo, width: 12},
	{key: "affiliateId", required: "劳务派遣人员必填", help: "劳务派遣单位的统一社会信用代码；须已在“单位信息维护管理”中添加为关联单位并上传派遣协议", example: "", width: 26},
	{key: "femaleRetirementAge", required: "否", help: "女性的原法定退休年龄：50 或 55（管理、技术岗位一般为 55）；不填按 50", example: "50", choices: ageChoices, width: 12},
	{key: "contracts[0].start", required: "是", help: "劳动合同开始日期，格式 YYYY-MM-DD（如 2024-01-01）", example: "2024-01-01", width: 14, date: true},
	{key: "contracts[0].end", required: "否", help: "劳动合同结束日期，格式 YYYY-MM-DD；无固定期限合同不填。合同期限需满一年才计入", example: "", width: 14, date: true},
	{key: "graduate.school", required: "高校毕业生填写", help: "毕业院校（是高校毕业生时填写以下五项）", example: "", width: 16},
	{key: "graduate.degree", required: "高校毕业生填写", help: "学历，如 本科、硕士研究生", example: "", width: 10},
	{key: "graduate.major", required: "高校毕业生填写", help: "专业", example: "", width: 12},
	{key: "graduate.graduated", required: "高校毕业生填写", help: "毕业日期，格式 YYYY-MM-DD", example: "", width: 14, date: true},
	{key: "graduate.diplomaNumber", required: "高校毕业生填写", help: "毕业证书编号", example: "", width: 18},
}

// exampleRow is the example as it stands in the template's second row; a row equal to it is
// skipped on import, so a clerk who leaves it in imports nothing fictitious.
func exampleRow() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.example
	}
	return out
}
