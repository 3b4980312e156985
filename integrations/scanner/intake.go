package scanner

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/scoring"
)

// Recorder records scans. *bot.Bot fits: it also announces milestones.
type Recorder interface {
	RecordScan(ctx context.Context, sc scoring.Scan) (scoring.ScanResult, error)
}

// Intake is the handler of POST /api/v1/scans.
type Intake struct {
	rec    Recorder
	secret []byte
	now    func() time.Time
	log    *slog.Logger
}

// NewIntake returns the scan intake. now is the bot's clock, used for the
// signature's time window.
func NewIntake(rec Recorder, secret []byte, now func() time.Time, log *slog.Logger) *Intake {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Intake{rec: rec, secret: secret, now: now, log: log}
}

type answer struct {
	Status string `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// ServeHTTP answers 202 {"status":"accepted"}, 200 {"status":"duplicate"}
// for a scan_id already counted, 401 for a bad signature or timestamp, 400
// naming the field for a malformed or impossible report or an unknown team,
// 413 above MaxReportBytes. Nothing is stored unless the answer is 202.
func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReportBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			in.reply(w, http.StatusRequestEntityTooLarge, answer{Error: "body: larger than 1 MiB"})
			return
		}
		in.reply(w, http.StatusBadRequest, answer{Error: "body: cannot be read"})
		return
	}
	now := in.now()
	if err := Verify(in.secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, now); err != nil {
		in.log.Warn("scan report refused", "reason", err, "remote", r.RemoteAddr)
		in.reply(w, http.StatusUnauthorized, answer{Error: err.Error()})
		return
	}
	report, err := DecodeReport(body, now)
	if err != nil {
		in.reply(w, http.StatusBadRequest, answer{Error: err.Error()})
		return
	}
	res, err := in.rec.RecordScan(r.Context(), report.Scan())
	switch {
	case errors.Is(err, bot.ErrUnknownTeam):
		in.reply(w, http.StatusBadRequest, answer{Error: "team: unknown team " + report.Team})
	case err != nil:
		in.log.Error("record scan", "scan_id", report.ScanID, "err", err)
		in.reply(w, http.StatusServiceUnavailable, answer{Error: "the store is unavailable: send again later"})
	case res.Status == scoring.ScanDuplicate:
		in.reply(w, http.StatusOK, answer{Status: "duplicate"})
	default:
		in.log.Info("scan report recorded", "scan_id", report.ScanID, "team", report.Team, "root", report.Root,
			"bytes", report.Bytes, "outcome", res.Status, "total_freed", res.TotalAfter)
		in.reply(w, http.StatusAccepted, answer{Status: "accepted"})
	}
}

func (in *Intake) reply(w http.ResponseWriter, status int, a answer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(a); err != nil {
		in.log.Debug("write answer", "err", err)
	}
}
