// Package scanner measures what each team stores: the file-tree walker and
// duplicate finder behind gigascan, the scan report schema and its
// signature, the client that sends reports, and the mailbox exports. It is
// all gigascan links and imports nothing of the bot; the bot's intake
// (integrations/httpapi) decodes reports with DecodeReport.
package scanner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Report is the scan of one root of one team (the design card's schema).
// It carries totals only: no file path leaves the machine.
type Report struct {
	ScanID     string     `json:"scan_id"`
	Team       string     `json:"team"`
	Source     string     `json:"source"`
	Root       string     `json:"root"`
	ScannedAt  time.Time  `json:"scanned_at"`
	Files      int64      `json:"files"`
	Bytes      int64      `json:"bytes"`
	Duplicates Duplicates `json:"duplicates"`
	Stale      Stale      `json:"stale"`
	BadlyNamed BadlyNamed `json:"badly_named"`
	Large      Large      `json:"large"`
	Empty      Empty      `json:"empty"`
	// Errors counts the entries that could not be read.
	Errors int64 `json:"errors"`
}

// Duplicates are the sets of two or more non-empty files with identical content.
type Duplicates struct {
	Groups           int64 `json:"groups"`
	Files            int64 `json:"files"`
	ReclaimableBytes int64 `json:"reclaimable_bytes"`
}

// Stale are the files not modified for OlderThanDays.
type Stale struct {
	Files         int64 `json:"files"`
	Bytes         int64 `json:"bytes"`
	OlderThanDays int   `json:"older_than_days"`
}

// BadlyNamed are the files whose names break a naming rule.
type BadlyNamed struct {
	Files int64 `json:"files"`
}

// Large are the files above ThresholdBytes.
type Large struct {
	Files          int64 `json:"files"`
	Bytes          int64 `json:"bytes"`
	ThresholdBytes int64 `json:"threshold_bytes"`
}

// Empty are the zero-byte files and the folders that hold no file.
type Empty struct {
	Files int64 `json:"files"`
	Dirs  int64 `json:"dirs"`
}

// Sources of a report.
const (
	SourceShare   = "share"
	SourceMailbox = "mailbox"
)

// MaxReportBytes bounds a report body.
const MaxReportBytes = 1 << 20

// MaxBytes bounds every byte count of a report: 10^16 bytes (10 Po), far
// above any share, and what the bot's scoring counts exactly (its
// scoring.MaxBytes is the same bound). MaxFiles bounds the file counts.
const (
	MaxBytes int64 = 10_000_000_000_000_000
	MaxFiles int64 = 1_000_000_000_000
)

// required are the fields a report must carry: a missing figure is not 0
// (a report without bytes would count its root as emptied).
var required = []string{"scan_id", "team", "source", "root", "scanned_at", "files", "bytes"}

// NewReport builds the report of a walk.
func NewReport(id, team, source, root string, at time.Time, t Totals, o WalkOptions) Report {
	o = o.withDefaults()
	return Report{
		ScanID: id, Team: team, Source: source, Root: root, ScannedAt: at,
		Files: t.Files, Bytes: t.Bytes,
		Duplicates: Duplicates{Groups: t.DupGroups, Files: t.DupFiles, ReclaimableBytes: t.DupReclaimable},
		Stale:      Stale{Files: t.StaleFiles, Bytes: t.StaleBytes, OlderThanDays: o.StaleDays},
		BadlyNamed: BadlyNamed{Files: t.BadlyNamedFiles},
		Large:      Large{Files: t.LargeFiles, Bytes: t.LargeBytes, ThresholdBytes: o.LargeBytes},
		Empty:      Empty{Files: t.EmptyFiles, Dirs: t.EmptyDirs},
		Errors:     t.Errors,
	}
}

// FieldError is a report that is not acceptable, naming the field at fault.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

var (
	teamPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	scanIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)
)

// DecodeReport reads and validates a report. now bounds scanned_at: a
// report from the future (beyond 5 minutes of clock skew) is impossible.
// Errors are *FieldError naming the field at fault.
func DecodeReport(body []byte, now time.Time) (Report, error) {
	var r Report
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&r); err != nil {
		return Report{}, jsonFieldError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Report{}, &FieldError{Field: "body", Message: "one JSON object expected, found more after it"}
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(body, &present); err != nil {
		return Report{}, jsonFieldError(err)
	}
	for _, f := range required {
		if v, ok := present[f]; !ok || string(v) == "null" {
			return Report{}, &FieldError{Field: f, Message: "required"}
		}
	}
	if err := r.Validate(now); err != nil {
		return Report{}, err
	}
	return r, nil
}

func jsonFieldError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return &FieldError{Field: field, Message: fmt.Sprintf("expected %s, got JSON %s", typeErr.Type, typeErr.Value)}
	case errors.As(err, &syntaxErr):
		return &FieldError{Field: "body", Message: fmt.Sprintf("malformed JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)}
	case errors.As(err, &timeErr):
		return &FieldError{Field: "scanned_at", Message: "not an RFC 3339 time (2026-03-24T18:00:00+01:00)"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &FieldError{Field: "body", Message: "empty or truncated JSON"}
	}
	return &FieldError{Field: "body", Message: err.Error()}
}

// Validate checks that every figure is possible.
func (r Report) Validate(now time.Time) error {
	checks := []struct {
		bad          bool
		field, issue string
	}{
		{!scanIDPattern.MatchString(r.ScanID), "scan_id", "required: 1 to 128 letters, digits, '.', '_', ':' or '-'"},
		{!teamPattern.MatchString(r.Team), "team", "required: a team id (lower-case letters, digits, '-', '_')"},
		{r.Source != SourceShare && r.Source != SourceMailbox, "source", `must be "share" or "mailbox"`},
		{strings.TrimSpace(r.Root) == "" || len(r.Root) > 4096, "root", "required (at most 4096 bytes)"},
		{r.ScannedAt.IsZero(), "scanned_at", "required"},
		{r.ScannedAt.After(now.Add(5 * time.Minute)), "scanned_at", "is in the future"},
		{r.Files < 0 || r.Files > MaxFiles, "files", "must be between 0 and 10^12"},
		{r.Bytes < 0 || r.Bytes > MaxBytes, "bytes", "must be between 0 and 10^16 (10 Po)"},
		{r.Duplicates.Groups < 0 || r.Duplicates.Files < 2*r.Duplicates.Groups, "duplicates.files", "must be at least 2 per group"},
		{r.Duplicates.Files > r.Files, "duplicates.files", "exceeds files"},
		{r.Duplicates.Groups == 0 && r.Duplicates.Files > 0, "duplicates.groups", "must not be 0 when duplicates.files is not"},
		{r.Duplicates.ReclaimableBytes < 0 || r.Duplicates.ReclaimableBytes > r.Bytes, "duplicates.reclaimable_bytes", "must be between 0 and bytes"},
		{r.Stale.Files < 0 || r.Stale.Files > r.Files, "stale.files", "must be between 0 and files"},
		{r.Stale.Bytes < 0 || r.Stale.Bytes > r.Bytes, "stale.bytes", "must be between 0 and bytes"},
		{r.Stale.OlderThanDays < 0, "stale.older_than_days", "must not be negative"},
		{r.BadlyNamed.Files < 0 || r.BadlyNamed.Files > r.Files, "badly_named.files", "must be between 0 and files"},
		{r.Large.Files < 0 || r.Large.Files > r.Files, "large.files", "must be between 0 and files"},
		{r.Large.Bytes < 0 || r.Large.Bytes > r.Bytes, "large.bytes", "must be between 0 and bytes"},
		{r.Large.ThresholdBytes < 0, "large.threshold_bytes", "must not be negative"},
		{r.Empty.Files < 0 || r.Empty.Files > r.Files, "empty.files", "must be between 0 and files"},
		{r.Empty.Dirs < 0, "empty.dirs", "must not be negative"},
		{r.Errors < 0, "errors", "must not be negative"},
	}
	for _, c := range checks {
		if c.bad {
			return &FieldError{Field: c.field, Message: c.issue}
		}
	}
	return nil
}
