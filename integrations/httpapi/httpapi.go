// Package httpapi serves the bot's HTTP API: health, standings, and the
// routes other integrations add (scan intake, Slack, Mattermost).
package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/scoring"
)

// Source gives the scores. *bot.Bot fits.
type Source interface {
	Standings(ctx context.Context) (scoring.Standings, error)
	Equivalences() scoring.Equivalences
}

// Pinger checks a dependency. *redis.Store fits.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server routes the HTTP API.
type Server struct {
	mux    *http.ServeMux
	source Source
	health Pinger
	log    *slog.Logger
	cache  standingsCache
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
	// Previous is the campaign's previous edition (campaign.previous),
	// absent without one.
	Previous *PreviousJSON `json:"previous,omitempty"`
}

// PreviousJSON is the previous edition in the standings answer.
type PreviousJSON struct {
	// Campaign is its campaign.id.
	Campaign        string `json:"campaign"`
	Name            string `json:"name"`
	TotalFreedBytes int64  `json:"total_freed_bytes"`
	// Teams are its teams, most bytes freed first.
	Teams []PreviousTeamJSON `json:"teams"`
}

// PreviousTeamJSON is one team of the previous edition.
type PreviousTeamJSON struct {
	Team       string `json:"team"`
	Name       string `json:"name"`
	FreedBytes int64  `json:"freed_bytes"`
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
	if body, ok := s.cache.get(st.Version, string(by)); ok {
		writeJSONBytes(w, http.StatusOK, body)
		return
	}
	body, err := json.Marshal(standingsJSON(st, by, s.source.Equivalences()))
	if err != nil {
		s.log.Error("standings", "err", err)
		WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "standings unavailable"})
		return
	}
	s.cache.put(st.Version, string(by), body)
	writeJSONBytes(w, http.StatusOK, body)
}

// standingsJSON is the API's view of the standings ranked by one criterion.
func standingsJSON(st scoring.Standings, by scoring.Criterion, eq scoring.Equivalences) StandingsJSON {
	out := StandingsJSON{By: by, Teams: []TeamJSON{}, TotalFreedBytes: st.TotalFreed, Equivalences: eq.OfScanned(st.TotalFreed, st.TotalScanned)}
	for _, t := range st.Ranking(by) {
		out.Teams = append(out.Teams, TeamJSON{
			Team: t.ID, Name: t.Name, Rank: t.Rank, Members: t.Members,
			FreedBytes: t.FreedBytes, BaselineBytes: t.BaselineBytes, Percent: round(t.Percent),
			Points: t.Points, PointsPerAgent: t.PointsPerAgent,
			Participation: round(t.Participation), Participations: t.Participations,
		})
	}
	if p := st.Previous; p != nil {
		out.Previous = &PreviousJSON{Campaign: p.Campaign, Name: p.Name, TotalFreedBytes: p.TotalFreed, Teams: []PreviousTeamJSON{}}
		for _, t := range p.Teams {
			out.Previous.Teams = append(out.Previous.Teams, PreviousTeamJSON{Team: t.ID, Name: t.Name, FreedBytes: t.FreedBytes})
		}
	}
	return out
}

// standingsCache keeps the JSON of the last standings version, one body
// per criterion: while no figure changes, a request encodes nothing. A
// version's bodies are never changed in place: a new body makes a new map.
type standingsCache struct {
	p atomic.Pointer[cachedBodies]
}

type cachedBodies struct {
	version string
	bodies  map[string][]byte
}

func (c *standingsCache) get(version, by string) ([]byte, bool) {
	cur := c.p.Load()
	if version == "" || cur == nil || cur.version != version {
		return nil, false
	}
	b, ok := cur.bodies[by]
	return b, ok
}

func (c *standingsCache) put(version, by string, body []byte) {
	if version == "" {
		return
	}
	next := &cachedBodies{version: version, bodies: map[string][]byte{by: body}}
	if cur := c.p.Load(); cur != nil && cur.version == version {
		for k, v := range cur.bodies {
			if k != by {
				next.bodies[k] = v
			}
		}
	}
	c.p.Store(next)
}

// Exporter writes the campaign's team × day export. *bot.Bot fits.
type Exporter interface {
	Export(ctx context.Context, w io.Writer, dialect bot.CSVDialect) (int, error)
}

// EnableExport serves GET /api/v1/export.csv to requests that bear the
// token ("Authorization: Bearer <token>"); every other request gets 401,
// and so does every request when token is empty. ?dialect=plain gives
// RFC 4180 for scripts, the default opens in the campaign's spreadsheets.
func (s *Server) EnableExport(e Exporter, token string) {
	want := sha256.Sum256([]byte(token))
	s.mux.HandleFunc("GET /api/v1/export.csv", func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 7235).
		auth := r.Header.Get("Authorization")
		ok := len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(auth[min(7, len(auth)):])))
		if token == "" || !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gigabot"`)
			msg := "missing or wrong bearer token (Authorization: Bearer <GIGABOT_API_TOKEN>)"
			if token == "" {
				msg = "export disabled: GIGABOT_API_TOKEN is not set on the bot"
			}
			WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": msg})
			return
		}
		dialect := bot.CSVSpreadsheet
		switch q := r.URL.Query().Get("dialect"); q {
		case "", "spreadsheet":
		case "plain":
			dialect = bot.CSVPlain
		default:
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "dialect: unknown value " + q + " (use spreadsheet or plain)"})
			return
		}
		var buf bytes.Buffer
		if _, err := e.Export(r.Context(), &buf, dialect); err != nil {
			s.log.Error("export", "err", err)
			WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "export unavailable"})
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="gigabot-export.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	})
}

func round(x float64) float64 { return math.Round(x*10000) / 10000 }

// WriteJSON writes v as a JSON answer with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeJSONBytes writes a JSON body encoded beforehand, as WriteJSON would.
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	_, _ = w.Write([]byte("\n"))
}
