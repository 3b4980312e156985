package scoring

import "time"

// Correction is a manual change of a team's points.
type Correction struct {
	// ID, when set, makes the correction count once however many times it
	// is recorded (a chat platform delivering the command again).
	ID     string    `json:"id,omitempty"`
	Team   string    `json:"team"`
	Points float64   `json:"points"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	Day    int       `json:"day"`
	At     time.Time `json:"at"`
}
