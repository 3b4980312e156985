// Package httpapi serves the bot's HTTP API: health, standings, and the
// routes other integrations add (scan intake, Slack, Mattermost).
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/gigabot/gigabot/scoring"
)

// Source gives the scores. *bot.Bot fits.
type Source interface {
	Standings(ctx context.Context) (scoring.Standings, error)
	Equivalences() scoring.Equivalences
}

// Pinger checks a dependency. *scoring.Store fits.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server routes the HTTP API.
type Server struct {
	mux    *http.ServeMux
	source Source
	health Pinger
	log    *slog.Logger
}

// New returns a server with the health and standings routes.
func New(source Source, health Pinger, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{mux: http.NewServeMux(), source: source, health: health, log: log}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /api/v1/standings", s.standings)
	return s
}

// Handle adds a route (Go 1.22 pattern, e.g. "POST /api/v1/scans").
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.health.Ping(ctx); err != nil {
		s.log.Warn("health check failed", "err", err)
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "store unreachable"})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// TeamJSON is one team in the standings answer.
type TeamJSON struct {
	Team           string  `json:"team"`
	Name           string  `json:"name"`
	Rank           int     `json:"rank"`
	Members        int     `json:"members"`
	FreedBytes     int64   `json:"freed_bytes"`
	BaselineBytes  int64   `json:"baseline_bytes"`
	Percent        float64 `json:"percent"`
	Points         float64 `json:"points"`
	PointsPerAgent float64 `json:"points_per_agent"`
	// Participation is the share (0–1) of possible défis done by the team's agents.
	Participation  float64 `json:"participation"`
	Participations int64   `json:"participations"`
}

// StandingsJSON is the answer of GET /api/v1/standings.
type StandingsJSON struct {
	// By is the ranking the teams are ordered by.
	By              scoring.Criterion  `json:"by"`
	Teams           []TeamJSON         `json:"teams"`
	TotalFreedBytes int64              `json:"total_freed_bytes"`
	Equivalences    scoring.Equivalent `json:"equivalences"`
}

func (s *Server) standings(w http.ResponseWriter, r *http.Request) {
	by := scoring.ByPoints
	if q := r.URL.Query().Get("by"); q != "" {
		by = scoring.Criterion(q)
		valid := false
		for _, c := range scoring.Criteria {
			valid = valid || c == by
		}
		if !valid {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "by: unknown ranking " + q + " (use points, volume, percent, participation or per_agent)"})
			return
		}
	}
	st, err := s.source.Standings(r.Context())
	if err != nil {
		s.log.Error("standings", "err", err)
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "standings unavailable"})
		return
	}
	out := StandingsJSON{By: by, Teams: []TeamJSON{}, TotalFreedBytes: st.TotalFreed, Equivalences: s.source.Equivalences().Of(st.TotalFreed)}
	for _, t := range st.Ranking(by) {
		out.Teams = append(out.Teams, TeamJSON{
			Team: t.ID, Name: t.Name, Rank: t.Rank, Members: t.Members,
			FreedBytes: t.FreedBytes, BaselineBytes: t.BaselineBytes, Percent: round(t.Percent),
			Points: t.Points, PointsPerAgent: t.PointsPerAgent,
			Participation: round(t.Participation), Participations: t.Participations,
		})
	}
	WriteJSON(w, http.StatusOK, out)
}

func round(x float64) float64 { return math.Round(x*10000) / 10000 }

// WriteJSON writes v as a JSON answer with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
