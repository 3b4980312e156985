package bot

import "time"

// Board is everything the dashboard shows, with every figure both as a
// number (for bars and curves) and as text formatted in the campaign's
// language ("1,7 To"), so that the page, the chat and the report agree to
// the letter.
type Board struct {
	Campaign string `json:"campaign"`
	// Language is "fr" or "en".
	Language string `json:"language"`
	// Status is "before", "running" or "over".
	Status string `json:"status"`
	// Day is the current campaign day (0 before the start, Days after the end).
	Day  int `json:"day"`
	Days int `json:"days"`
	// DayLabel reads "Jour 3 sur 15" (or "Début le 2 mars", "Campagne terminée").
	DayLabel string `json:"day_label"`
	// Defi is today's défi, when there is one.
	Defi *BoardDefi `json:"defi,omitempty"`
	// Total is the campaign's freed bytes.
	Total Figure `json:"total"`
	// Goal is campaign.goal (Value 0: no goal).
	Goal Figure `json:"goal"`
	// GoalPercent is Total/Goal in percent, not capped (0 without a goal).
	GoalPercent float64 `json:"goal_percent"`
	// GoalLabel reads "42 % de l'objectif de 2 To".
	GoalLabel string `json:"goal_label"`
	// Equivalences turn Total into pages, cabinets and CO2e.
	Equivalences []Equivalence `json:"equivalences"`
	// Rankings are the points, volume, percent and participation rankings.
	Rankings []Ranking `json:"rankings"`
	// Curve is the cumulative freed bytes at the end of each day so far
	// (today: so far).
	Curve []CurvePoint `json:"curve"`
	// Milestones are the thresholds reached, latest first.
	Milestones []Figure `json:"milestones"`
	// UpdatedAt is when the board was computed; UpdatedLabel reads "14:32".
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedLabel string    `json:"updated_label"`
}

// Figure is a number and its text.
type Figure struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
}

// BoardDefi is a défi as the dashboard shows it.
type BoardDefi struct {
	Day   int      `json:"day"`
	Title string   `json:"title"`
	Steps []string `json:"steps"`
	Tip   string   `json:"tip"`
	Saves string   `json:"saves"`
}

// Equivalence is the total in another unit.
type Equivalence struct {
	// Kind is "pages", "cabinets" or "co2e".
	Kind string `json:"kind"`
	// Value is the rounded amount; Label reads "6 500 000 pages PDF".
	Value float64 `json:"value"`
	Label string  `json:"label"`
	// Source says where the rate comes from.
	Source string `json:"source"`
}

// Ranking is one ranking of the teams, best first.
type Ranking struct {
	// By is the criterion ("points", "volume", "percent", "participation").
	By string `json:"by"`
	// Title reads "Classement aux points".
	Title string     `json:"title"`
	Teams []TeamLine `json:"teams"`
}

// TeamLine is a team in a ranking.
type TeamLine struct {
	Team string `json:"team"`
	Name string `json:"name"`
	Rank int    `json:"rank"`
	// Value is what the ranking orders by (bytes, percent 0–100, points);
	// Label is it formatted ("1,7 To", "42 %", "1 250 points").
	Value float64 `json:"value"`
	Label string  `json:"label"`
	// Detail gives the other figures ("1,7 To · 12 % · participation 64 %").
	Detail string `json:"detail"`
}

// CurvePoint is the campaign's cumulative freed bytes at the end of a day.
type CurvePoint struct {
	Day int `json:"day"`
	// Date is the day's date (YYYY-MM-DD); DateLabel reads "lun. 2 mars".
	Date      string  `json:"date"`
	DateLabel string  `json:"date_label"`
	Bytes     float64 `json:"bytes"`
	Label     string  `json:"label"`
}

// Bilan is the campaign report for the DGS and the elected officials.
type Bilan struct {
	Board Board `json:"board"`
	// Period reads "du 2 mars au 20 mars 2026".
	Period string `json:"period"`
	// Participants is the number of agents in the teams.
	Participants int `json:"participants"`
	// Prizes are the special rankings' winners ("Prix de la participation : DRH").
	Prizes []string `json:"prizes"`
	// Teams are every team, in points order.
	Teams []BilanTeam `json:"teams"`
	// Defis are the days' défis, most taken up first.
	Defis []DefiUptake `json:"defis"`
}

// BilanTeam is a team's page of the report.
type BilanTeam struct {
	Team          string `json:"team"`
	Name          string `json:"name"`
	Rank          int    `json:"rank"`
	Members       int    `json:"members"`
	Points        Figure `json:"points"`
	Freed         Figure `json:"freed"`
	Percent       Figure `json:"percent"`
	Participation Figure `json:"participation"`
	// Curve is the team's cumulative freed bytes at the end of each day.
	Curve []CurvePoint `json:"curve"`
	// BestDefi is the défi most of its agents did ("Jour 4 · Vider la corbeille").
	BestDefi string `json:"best_defi"`
}

// DefiUptake is how many agents did a day's défi.
type DefiUptake struct {
	Day   int    `json:"day"`
	Title string `json:"title"`
	// Done counts the agents who did it; Share is Done over all agents (0–100).
	Done  int    `json:"done"`
	Share Figure `json:"share"`
}
