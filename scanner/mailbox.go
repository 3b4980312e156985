package scanner

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Mailbox is one mailbox of a size export.
type Mailbox struct {
	// Identities are the names the export gives it (display name, address…),
	// any of which the user→team map may use.
	Identities []string
	Bytes      int64
	Items      int64
}

// identityColumns are the columns of an Exchange export that name a mailbox.
var identityColumns = []string{"user", "userprincipalname", "primarysmtpaddress", "emailaddress", "alias", "samaccountname", "displayname", "mailboxguid"}

// sizeInBytes reads Exchange's "2.345 GB (2,518,038,528 bytes)" and, on a
// French server, "2,345 Go (2 518 038 528 octets)", the digits grouped by a
// no-break space (U+00A0, or U+202F on recent Windows) which an ASCII export
// (Windows PowerShell 5.1's Export-Csv default) turns into "?".
var sizeInBytes = regexp.MustCompile(`\(([\d,.?\s\x{a0}\x{202f}]+)[\s\x{a0}\x{202f}?](?:bytes|octets)\)`)

// ReadMailboxes reads a mailbox-size export: either the CSV of Exchange's
// Get-MailboxStatistics (TotalItemSize, TotalDeletedItemSize, ItemCount,
// DeletedItemCount and identity columns), or a plain "user,bytes" CSV. The
// deleted-items sizes count: they are still stored.
func ReadMailboxes(r io.Reader) ([]Mailbox, error) {
	rows, header, err := readCSV(r)
	if err != nil {
		return nil, fmt.Errorf("mailbox export: %w", err)
	}
	col := func(name string) int { return indexOf(header, name) }
	sizeCols := []int{col("totalitemsize"), col("totaldeleteditemsize"), col("bytes")}
	itemCols := []int{col("itemcount"), col("deleteditemcount")}
	if sizeCols[0] < 0 && sizeCols[2] < 0 {
		return nil, errors.New("mailbox export: no TotalItemSize or bytes column")
	}
	var out []Mailbox
	for i, row := range rows {
		line := i + 2
		var m Mailbox
		for _, name := range identityColumns {
			if c := col(name); c >= 0 && c < len(row) && strings.TrimSpace(row[c]) != "" {
				m.Identities = append(m.Identities, strings.TrimSpace(row[c]))
			}
		}
		if len(m.Identities) == 0 {
			return nil, fmt.Errorf("mailbox export line %d: no user name", line)
		}
		for _, c := range sizeCols {
			if c < 0 || c >= len(row) || strings.TrimSpace(row[c]) == "" {
				continue
			}
			n, err := parseMailboxSize(row[c])
			if err != nil {
				return nil, fmt.Errorf("mailbox export line %d, column %s: %w", line, header[c], err)
			}
			m.Bytes += n
		}
		for _, c := range itemCols {
			if c >= 0 && c < len(row) && strings.TrimSpace(row[c]) != "" {
				n, err := strconv.ParseInt(strings.TrimSpace(row[c]), 10, 64)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("mailbox export line %d, column %s: %q is not a count", line, header[c], row[c])
				}
				m.Items += n
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// parseMailboxSize reads a plain byte count or Exchange's "… (N bytes)".
func parseMailboxSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if m := sizeInBytes.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ',' || r == '.' || r == ' ' || r == '\u00a0' || r == '\u202f' || r == '?' {
			return -1
		}
		return 'x'
	}, s)
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || digits == "" {
		return 0, fmt.Errorf("%q is not a size in bytes", s)
	}
	return n, nil
}

// ReadTeamMap reads a "user,team" CSV (with that header).
func ReadTeamMap(r io.Reader) (map[string]string, error) {
	rows, header, err := readCSV(r)
	if err != nil {
		return nil, fmt.Errorf("team map: %w", err)
	}
	u, t := indexOf(header, "user"), indexOf(header, "team")
	if u < 0 || t < 0 {
		return nil, errors.New(`team map: the header must be "user,team"`)
	}
	out := map[string]string{}
	for i, row := range rows {
		if len(row) <= max(u, t) {
			return nil, fmt.Errorf("team map line %d: want user and team", i+2)
		}
		user, team := strings.ToLower(strings.TrimSpace(row[u])), strings.TrimSpace(row[t])
		if user == "" || !teamPattern.MatchString(team) {
			return nil, fmt.Errorf("team map line %d: %q → %q is not a user and a team id", i+2, row[u], row[t])
		}
		if prev, dup := out[user]; dup && prev != team {
			return nil, fmt.Errorf("team map line %d: %s is in %s and %s", i+2, row[u], prev, team)
		}
		out[user] = team
	}
	return out, nil
}

// MailboxReports sums the mailboxes of each team into one mailbox report
// per team, in team order. newID names each report. It also returns the
// mailboxes no map entry matched, which count for nobody.
func MailboxReports(boxes []Mailbox, teams map[string]string, root string, at time.Time, newID func() string) ([]Report, []string) {
	sums := map[string]*Report{}
	var unmapped []string
	for _, m := range boxes {
		team := ""
		for _, id := range m.Identities {
			if t, ok := teams[strings.ToLower(id)]; ok {
				team = t
				break
			}
		}
		if team == "" {
			unmapped = append(unmapped, m.Identities[0])
			continue
		}
		r, ok := sums[team]
		if !ok {
			r = &Report{Team: team, Source: SourceMailbox, Root: root, ScannedAt: at}
			sums[team] = r
		}
		r.Files += m.Items
		r.Bytes += m.Bytes
	}
	out := make([]Report, 0, len(sums))
	for _, r := range sums {
		r.ScanID = newID()
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Team < out[j].Team })
	return out, unmapped
}

// maxCSVBytes bounds an export or a map: 3 000 mailboxes take 500 kB.
const maxCSVBytes = 64 << 20

// readCSV reads a CSV with a header, lower-cased, in the encodings
// PowerShell writes (see decodeText); it skips the "#TYPE" line of Windows
// PowerShell 5.1, and accepts ";" separators (Export-Csv -UseCulture on a
// French Windows).
func readCSV(r io.Reader) ([][]string, []string, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxCSVBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	if len(raw) > maxCSVBytes {
		return nil, nil, fmt.Errorf("larger than %d MB", maxCSVBytes>>20)
	}
	text, err := decodeText(raw)
	if err != nil {
		return nil, nil, err
	}
	if strings.HasPrefix(text, "#TYPE") {
		_, text, _ = strings.Cut(text, "\n")
	}
	cr := csv.NewReader(strings.NewReader(text))
	if line, _, _ := strings.Cut(text, "\n"); strings.Count(line, ";") > strings.Count(line, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	all, err := cr.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	if len(all) == 0 {
		return nil, nil, errors.New("empty file")
	}
	header := make([]string, len(all[0]))
	for i, h := range all[0] {
		header[i] = strings.ToLower(strings.TrimSpace(h))
	}
	return all[1:], header, nil
}

// decodeText reads what Export-Csv and Excel write: UTF-8 with a byte order
// mark (PowerShell 5.1's -Encoding UTF8) or without (PowerShell 7's
// default), UTF-16 with its mark (5.1's -Encoding Unicode, and what its ">"
// writes), and, when the bytes are not UTF-8, Windows-1252 (5.1's -Encoding
// Default and Excel's CSV on a French or English Windows).
func decodeText(raw []byte) (string, error) {
	dec := unicode.BOMOverride(encoding.Nop.NewDecoder())
	if !utf8.Valid(raw) && !bytes.HasPrefix(raw, []byte{0xff, 0xfe}) && !bytes.HasPrefix(raw, []byte{0xfe, 0xff}) {
		dec = charmap.Windows1252.NewDecoder()
	}
	out, _, err := transform.Bytes(dec, raw)
	if err != nil {
		return "", fmt.Errorf("decode: %w", err)
	}
	return string(out), nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
