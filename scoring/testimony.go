package scoring

import "time"

// Testimony is a good practice an agent shared for their team
// ("temoignage <texte>"), shown in a recap, on the dashboard and in the
// report until a coordinator withdraws it.
type Testimony struct {
	ID, Team, Agent, Text string
	At                    time.Time
}

// TestimonyGiven is a testimony recorded. The log keeps who gave it and
// when, not its text: the text is the agent's own words, kept beside the
// figures where erasing it leaves the log whole.
type TestimonyGiven struct {
	ID, Team, Agent string
	At              time.Time
}

// TestimonyWithdrawn is a coordinator's withdrawal of a testimony.
type TestimonyWithdrawn struct {
	ID, Team, By string
	At           time.Time
}

// The testimonies' kinds of events.
const (
	KindTestimony          = "testimony"
	KindTestimonyWithdrawn = "testimony_withdrawn"
)

// Kind implements Event.
func (TestimonyGiven) Kind() string { return KindTestimony }

// Kind implements Event.
func (TestimonyWithdrawn) Kind() string { return KindTestimonyWithdrawn }
