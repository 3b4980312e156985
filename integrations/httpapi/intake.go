package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/scanner"
	"github.com/gigabot/gigabot/scoring"
)

// Recorder records scans. *bot.Bot fits: it also announces milestones.
type Recorder interface {
	RecordScan(ctx context.Context, sc scoring.Scan) (scoring.ScanResult, error)
}

// Reports counts the intake's requests by outcome (one of the Outcome
// constants). *metrics.Metrics fits.
type Reports interface {
	Report(outcome string)
}

// The outcomes of a request to the intake, as Reports is told them: each
// request has exactly one.
const (
	// OutcomeAccepted: 202, the scan changed the team's figures.
	OutcomeAccepted = "accepted"
	// OutcomeStale: 202, the scan was recorded but is older than what the
	// store holds for its root, so it changed nothing.
	OutcomeStale = "stale"
	// OutcomeHeld: 202 {"status":"held"}, the scan looks implausible and
	// waits for a coordinator (valider / rejeter); it changed nothing.
	OutcomeHeld = "held"
	// OutcomeDuplicate: 200, a scan_id already recorded.
	OutcomeDuplicate = "duplicate"
	// OutcomeBadSignature: 401, a missing, malformed or wrong signature, or
	// a timestamp outside the window (a replay, or a scanner's clock off).
	OutcomeBadSignature = "bad_signature"
	// OutcomeInvalid: 400, a body that is not JSON or not a possible report.
	OutcomeInvalid = "invalid"
	// OutcomeUnknownTeam: 400, a team the campaign does not have.
	OutcomeUnknownTeam = "unknown_team"
	// OutcomeTooLarge: 413, a body above scanner.MaxReportBytes.
	OutcomeTooLarge = "too_large"
	// OutcomeUnreadable: 400, a body that could not be read (the client
	// went away mid-request).
	OutcomeUnreadable = "unreadable"
	// OutcomeMethodNotAllowed: 405, anything but POST.
	OutcomeMethodNotAllowed = "method_not_allowed"
	// OutcomeError: 503, the store failed; the scanner sends again later.
	OutcomeError = "error"
)

// IntakeOption configures an Intake.
type IntakeOption func(*Intake)

// WithReports has the intake tell r the outcome of every request. Nil:
// nothing is told.
func WithReports(r Reports) IntakeOption {
	return func(in *Intake) {
		if r != nil {
			in.reports = r
		}
	}
}

// Intake is the handler of POST /api/v1/scans.
type Intake struct {
	rec     Recorder
	secret  []byte
	now     func() time.Time
	log     *slog.Logger
	reports Reports
}

// NewIntake returns the scan intake. now is the bot's clock, used for the
// signature's time window.
func NewIntake(rec Recorder, secret []byte, now func() time.Time, log *slog.Logger, opts ...IntakeOption) *Intake {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in := &Intake{rec: rec, secret: secret, now: now, log: log, reports: noReports{}}
	for _, o := range opts {
		o(in)
	}
	return in
}

// noReports counts nothing, for an intake without metrics.
type noReports struct{}

func (noReports) Report(string) {}

type answer struct {
	Status string `json:"status,omitempty"`
	ScanID string `json:"scan_id,omitempty"`
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
}

// ServeHTTP answers 202 {"status":"accepted"}, 202 {"status":"held",
// "scan_id":…, "reason":…} for an implausible report set aside for a
// coordinator, 200 {"status":"duplicate"} for a scan_id already counted, 401 for a bad signature or timestamp, 400
// naming the field for a malformed or impossible report or an unknown team,
// 413 above scanner.MaxReportBytes, 405 to anything but POST. Nothing is stored
// unless the answer is 202. Each answer is reported with its outcome.
func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		in.reply(w, OutcomeMethodNotAllowed, http.StatusMethodNotAllowed, answer{Error: "method: use POST"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, scanner.MaxReportBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			in.reply(w, OutcomeTooLarge, http.StatusRequestEntityTooLarge, answer{Error: "body: larger than 1 MiB"})
			return
		}
		in.reply(w, OutcomeUnreadable, http.StatusBadRequest, answer{Error: "body: cannot be read"})
		return
	}
	now := in.now()
	if err := scanner.Verify(in.secret, r.Header.Get(scanner.HeaderTimestamp), r.Header.Get(scanner.HeaderSignature), body, now); err != nil {
		in.log.Warn("scan report refused", "reason", err, "remote", r.RemoteAddr)
		in.reply(w, OutcomeBadSignature, http.StatusUnauthorized, answer{Error: err.Error()})
		return
	}
	report, err := scanner.DecodeReport(body, now)
	if err != nil {
		in.reply(w, OutcomeInvalid, http.StatusBadRequest, answer{Error: err.Error()})
		return
	}
	res, err := in.rec.RecordScan(r.Context(), scanOf(report))
	switch {
	case errors.Is(err, bot.ErrUnknownTeam):
		in.reply(w, OutcomeUnknownTeam, http.StatusBadRequest, answer{Error: "team: unknown team " + report.Team})
	case err != nil:
		in.log.Error("record scan", "scan_id", report.ScanID, "err", err)
		in.reply(w, OutcomeError, http.StatusServiceUnavailable, answer{Error: "the store is unavailable: send again later"})
	case res.Status == scoring.ScanDuplicate:
		in.reply(w, OutcomeDuplicate, http.StatusOK, answer{Status: "duplicate"})
	case res.Status == scoring.ScanHeld:
		in.reply(w, OutcomeHeld, http.StatusAccepted, answer{Status: "held", ScanID: report.ScanID, Reason: res.Reason})
	default:
		in.log.Info("scan report recorded", "scan_id", report.ScanID, "team", report.Team, "root", report.Root,
			"bytes", report.Bytes, "outcome", res.Status)
		outcome := OutcomeAccepted
		if res.Status == scoring.ScanStale {
			outcome = OutcomeStale
		}
		in.reply(w, outcome, http.StatusAccepted, answer{Status: "accepted"})
	}
}

func (in *Intake) reply(w http.ResponseWriter, outcome string, status int, a answer) {
	in.reports.Report(outcome)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(a); err != nil {
		in.log.Debug("write answer", "err", err)
	}
}

// scanOf converts a scanner's report to what the scoring records.
func scanOf(r scanner.Report) scoring.Scan {
	return scoring.Scan{
		ID: r.ScanID, Team: r.Team, Source: r.Source, Root: r.Root, ScannedAt: r.ScannedAt,
		Files: r.Files, Bytes: r.Bytes,
		DuplicateBytes: r.Duplicates.ReclaimableBytes, StaleBytes: r.Stale.Bytes, LargeBytes: r.Large.Bytes,
	}
}
