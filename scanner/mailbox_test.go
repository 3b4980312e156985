package scanner

import (
	"strings"
	"testing"
	"time"
)

const exchangeExport = "\ufeff#TYPE Selected.Microsoft.Exchange.Management.MapiTasks.Presentation.MailboxStatistics\n" +
	`"DisplayName","PrimarySmtpAddress","TotalItemSize","TotalDeletedItemSize","ItemCount","DeletedItemCount"` + "\n" +
	`"Alice Martin","alice@cd14.fr","1.234 GB (1,324,567,890 bytes)","10 MB (10,000,000 bytes)","5000","20"` + "\n" +
	`"Bob Durand","bob@cd14.fr","512 MB (536,870,912 bytes)","0 B (0 bytes)","1200","0"` + "\n" +
	`"Chloé","chloe@cd14.fr","2 GB (2,000,000,000 bytes)","","300",""` + "\n" +
	`"Zoé Inconnue","zoe@cd14.fr","1 GB (1,000,000,000 bytes)","","10",""` + "\n"

func TestMailboxReports(t *testing.T) {
	boxes, err := ReadMailboxes(strings.NewReader(exchangeExport))
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) != 4 || boxes[0].Bytes != 1_334_567_890 || boxes[0].Items != 5020 {
		t.Fatalf("boxes %+v", boxes)
	}
	teams, err := ReadTeamMap(strings.NewReader("user,team\nalice@cd14.fr,routes\nBob Durand,routes\nchloe@cd14.fr,colleges\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	at := time.Date(2027, 3, 23, 18, 0, 0, 0, time.UTC)
	reports, unmapped := MailboxReports(boxes, teams, "exchange", at, func() string { n++; return "m" + string(rune('0'+n)) })
	if len(reports) != 2 || reports[0].Team != "colleges" || reports[1].Team != "routes" {
		t.Fatalf("reports %+v", reports)
	}
	routes := reports[1]
	if routes.Bytes != 1_334_567_890+536_870_912 || routes.Files != 6220 || routes.Source != SourceMailbox || routes.Root != "exchange" || !routes.ScannedAt.Equal(at) {
		t.Errorf("routes %+v", routes)
	}
	for _, r := range reports {
		if err := r.Validate(at); err != nil {
			t.Errorf("%s: %v", r.Team, err)
		}
	}
	if len(unmapped) != 1 || unmapped[0] != "zoe@cd14.fr" {
		t.Errorf("unmapped %v", unmapped)
	}
}

func TestReadMailboxesPlainAndErrors(t *testing.T) {
	boxes, err := ReadMailboxes(strings.NewReader("user;bytes\nalice;1000\nbob;2 000\n"))
	if err != nil || len(boxes) != 2 || boxes[1].Bytes != 2000 {
		t.Fatalf("plain CSV: %+v %v", boxes, err)
	}
	tests := []struct{ name, csv, want string }{
		{"no size column", "user,items\nalice,3\n", "no TotalItemSize or bytes column"},
		{"bad size", "user,bytes\nalice,lots\n", "line 2, column bytes"},
		{"no user", "user,bytes\n,100\n", "line 2: no user name"},
		{"bad count", `"DisplayName","TotalItemSize","ItemCount"` + "\n" + `"A","1 (1 bytes)","-3"` + "\n", "ItemCount"},
		{"empty", "", "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadMailboxes(strings.NewReader(tt.csv)); err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.want)) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	for _, bad := range []string{"name,group\na,b\n", "user,team\nalice,routes\nalice,rh\n", "user,team\nalice,Routes Nord\n"} {
		if _, err := ReadTeamMap(strings.NewReader(bad)); err == nil {
			t.Errorf("team map %q accepted", bad)
		}
	}
}
