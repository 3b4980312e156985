package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gigabot/gigabot/scoring"
)

// CSVDialect is a flavour of the export.
type CSVDialect int

const (
	// CSVSpreadsheet opens as is in the spreadsheets of the campaign's
	// language: in French, a UTF-8 byte order mark, ";" between fields,
	// decimal commas and French headers; in English, RFC 4180 with a BOM
	// and English headers. The headers say what each figure measures
	// ("% du volume de départ") and come from the message catalog.
	CSVSpreadsheet CSVDialect = iota
	// CSVPlain is RFC 4180 for scripts: ",", decimal points, English
	// snake_case headers, no BOM, whatever the language.
	CSVPlain
)

// exportColumns are the export's plain headers; a spreadsheet's are the
// catalog's "export.col." ones.
var exportColumns = []string{
	"day", "date", "defi", "team", "team_name", "members",
	"freed_bytes_day", "freed_bytes_total", "percent_total",
	"defi_done", "participation_day", "points_total",
}

// Export writes one row per team and campaign day started so far: the
// freed bytes of the day and since the start, the reduction rate, the
// agents who did the day's défi and the points, all as they stood at the
// end of that day (the current day: now, so that its rows match the
// standings). It returns the number of rows written.
func (b *Bot) Export(ctx context.Context, w io.Writer, dialect CSVDialect) (int, error) {
	now := b.clock.Now()
	days, err := b.history(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	french := dialect == CSVSpreadsheet && b.loc.Lang == "fr"
	var buf bytes.Buffer
	if dialect == CSVSpreadsheet {
		buf.WriteString("\ufeff")
	}
	cw := csv.NewWriter(&buf)
	if french {
		cw.Comma = ';'
	}
	header := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c
		if dialect == CSVSpreadsheet {
			header[i] = b.loc.T("export.col." + c)
		}
	}
	if err := cw.Write(header); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	decimal := func(x float64) string {
		s := strconv.FormatFloat(round2(x), 'f', -1, 64)
		if french {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	teams, err := b.rankedTeams(ctx)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	rows := 0
	b.histMu.Lock()
	defer b.histMu.Unlock()
	prev := map[string]scoring.Figures{}
	for _, d := range days {
		st := scoring.Compute(teams, d.figures, b.weights, d.day.N)
		for _, s := range st.Teams {
			done := b.hist.Done(s.ID, d.day.N)
			part := 0.0
			if s.Members > 0 {
				part = 100 * float64(done) / float64(s.Members)
			}
			err := cw.Write([]string{
				strconv.Itoa(d.day.N), d.day.Date.Format(time.DateOnly), d.day.Defi.Title,
				s.ID, s.Name, strconv.Itoa(s.Members),
				strconv.FormatInt(s.FreedBytes-prev[s.ID].FreedBytes, 10), strconv.FormatInt(s.FreedBytes, 10),
				decimal(s.Percent), strconv.FormatInt(done, 10), decimal(part), decimal(s.Points),
			})
			if err != nil {
				return rows, fmt.Errorf("export: %w", err)
			}
			rows++
		}
		prev = d.figures
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rows, fmt.Errorf("export: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return rows, fmt.Errorf("export: %w", err)
	}
	return rows, nil
}

// cmdExport answers with the export as a CSV file.
func (b *Bot) cmdExport(ctx context.Context, ev Event, _ string) error {
	var buf bytes.Buffer
	rows, err := b.Export(ctx, &buf, CSVSpreadsheet)
	if err != nil {
		return err
	}
	if rows == 0 {
		return b.reply(ctx, ev, b.loc.T("export.none"))
	}
	day := b.cal.Elapsed(b.clock.Now())
	msg := Message{Kind: KindReply, Text: b.loc.T("export.done", len(b.teams), day), Files: []File{{
		Name: b.loc.T("export.file", b.cfg.Campaign.ID, day), MIME: "text/csv",
		Alt: b.loc.T("export.done", len(b.teams), day), Data: buf.Bytes(),
	}}}
	_, err = b.chat.Post(ctx, ev.Channel, msg)
	return err
}
