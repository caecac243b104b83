package review

import (
	"testing"

	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// TestDashboard: the store's counts arranged by district, with every status and kind listed in
// lifecycle order and labelled in Chinese, zero counts included.
func TestDashboard(t *testing.T) {
	d := dashboard(2025, Tallies{
		Placements: []Tally{{"220102", "南关区", string(placement.Confirmed), 3}, {"220102", "南关区", string(placement.Draft), 1},
			{"220104", "朝阳区", string(placement.Pending), 2}},
		Declarations: []Tally{{"220102", "南关区", string(rules.DeclarationSubmitted), 1},
			{"220104", "朝阳区", string(rules.DeclarationReopenRequested), 1}},
		PendingItems: map[Kind]int{KindClaim: 4},
	})
	if d.Year != 2025 || len(d.Districts) != 2 {
		t.Fatalf("dashboard %+v", d)
	}
	if n := d.Districts[0]; n.District != "220102" || n.Persons != 4 || n.Confirmed != 3 || n.Draft != 1 || n.Submitted != 1 {
		t.Errorf("南关区 %+v", n)
	}
	if n := d.Districts[1]; n.Name != "朝阳区" || n.Pending != 2 || n.ReopenRequested != 1 {
		t.Errorf("朝阳区 %+v", n)
	}
	want := []Count{{"draft", "未完成", 1}, {"pending", "待审核", 2}, {"confirmed", "已确认", 3}, {"rejected", "审核不通过", 0}}
	if len(d.Placements) != len(want) {
		t.Fatalf("placements %+v", d.Placements)
	}
	for i, c := range want {
		if d.Placements[i] != c {
			t.Errorf("placements[%d] = %+v, want %+v", i, d.Placements[i], c)
		}
	}
	if d.Declarations[0] != (Count{"open", "未申报", 0}) || d.Declarations[1] != (Count{"submitted", "已完成申报", 1}) {
		t.Errorf("declarations %+v", d.Declarations)
	}
	if d.Items[0] != (Count{"claim", "核验未通过月份申请", 4}) || d.Items[2] != (Count{"reopen", "年审认证反馈", 0}) {
		t.Errorf("items %+v", d.Items)
	}
}
