package scoring

import "time"

// Reaction is an agent's mark on a défi post.
type Reaction struct {
	Agent string
	Team  string
	Day   int
	// Post identifies the post reacted to: an agent may mark the same défi on
	// several posts, and the défi stays done until the last mark goes.
	Post string
	At   time.Time
	// Unless, when set, is the instant the platform showed the reaction
	// (a list read after events were missed): the mark then changes only
	// if it did not change at or after that instant, so that an event
	// counted since wins over the older list.
	Unless time.Time
}
