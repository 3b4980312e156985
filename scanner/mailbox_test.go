package scanner

import (
	"os"
	"path/filepath"
	"reflect"
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

// TestReadMailboxesExchangeExports reads what Export-Csv writes of the
// README's recipe (testdata/exchange, written as Windows PowerShell 5.1 and
// PowerShell 7 write them, CRLF line ends): with and without the "#TYPE"
// line, English and French sizes, UTF-8 with and without a byte order mark,
// UTF-16 (-Encoding Unicode), Windows-1252 (-Encoding Default) and ASCII
// (5.1's default, which turns every non-ASCII character into "?").
func TestReadMailboxesExchangeExports(t *testing.T) {
	names := []string{"Éric Dupré", "Chloé Lefèvre", "Bob Durand"}
	asciiNames := []string{"?ric Dupr?", "Chlo? Lef?vre", "Bob Durand"}
	for _, tt := range []struct {
		file  string
		names []string
		lost  bool // "Éric Dupré" lost its accents: the map by name misses it
	}{
		{"ps51-en-utf8bom.csv", names, false},
		{"ps51-fr-utf8bom-semicolon.csv", names, false},
		{"ps51-fr-ansi.csv", names, false},
		{"ps51-fr-unicode.csv", names, false},
		{"ps51-fr-ascii.csv", asciiNames, true},
		{"ps7-en-utf8.csv", names, false},
		{"ps7-fr-utf8.csv", names, false},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "exchange", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			boxes, err := ReadMailboxes(f)
			if err != nil {
				t.Fatal(err)
			}
			want := []Mailbox{
				{Identities: []string{"eric.dupre@calvados.fr", tt.names[0]}, Bytes: 1_324_567_890 + 11_010_048, Items: 5020},
				{Identities: []string{"chloe.lefevre@calvados.fr", tt.names[1]}, Bytes: 536_870_912, Items: 1200},
				{Identities: []string{"bob.durand@calvados.fr", tt.names[2]}, Bytes: 2_684_354_560, Items: 300},
			}
			if !reflect.DeepEqual(boxes, want) {
				t.Errorf("got  %+v\nwant %+v", boxes, want)
			}
			// A map by display name, accented, as a coordinator types it.
			teams, err := ReadTeamMap(strings.NewReader("user,team\nÉRIC DUPRÉ,routes\nchloe.lefevre@calvados.fr,routes\nBob Durand,colleges\n"))
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2027, 3, 23, 18, 0, 0, 0, time.UTC)
			reports, unmapped := MailboxReports(boxes, teams, "exchange", at, func() string { return "id" })
			routes, wantUnmapped := int64(1_324_567_890+11_010_048+536_870_912), 0
			if tt.lost {
				routes, wantUnmapped = 536_870_912, 1
			}
			if len(reports) != 2 || reports[1].Team != "routes" || reports[1].Bytes != routes || len(unmapped) != wantUnmapped {
				t.Errorf("reports %+v, unmapped %q", reports, unmapped)
			}
		})
	}
}

func TestReadTeamMapFromExcel(t *testing.T) {
	// Excel's "CSV (séparateur : point-virgule)" on a French Windows: Windows-1252.
	teams, err := ReadTeamMap(strings.NewReader("user;team\r\nChlo\xe9 Lef\xe8vre;routes\r\n"))
	if err != nil || teams["chloé lefèvre"] != "routes" {
		t.Errorf("teams %q, %v", teams, err)
	}
}
