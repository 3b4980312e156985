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
}
