package main

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// platformEnv is what one GIGABOT_PLATFORM value reads from the
// environment. Only presence is checked here; the adapters check the
// values' shapes (a Slack bot token starts with xoxb-, a URL is http(s)).
type platformEnv struct {
	name string
	// required must all be set.
	required []string
	// anyOf, when not empty, must have at least one set: Slack's two modes.
	anyOf []string
	// optional are read when set.
	optional []string
	// hint tells where the missing values come from.
	hint string
}

// platformEnvs lists the platforms "gigabot run" accepts, in the order the
// messages name them.
var platformEnvs = []platformEnv{
	{name: "console"},
	{
		name:     "slack",
		required: []string{"SLACK_BOT_TOKEN"},
		anyOf:    []string{"SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"},
		optional: []string{"SLACK_API_URL"},
		hint:     "SLACK_APP_TOKEN for Socket Mode, SLACK_SIGNING_SECRET for HTTP mode; deploy/slack-app-manifest.yaml says where each token is",
	},
	{
		name:     "mattermost",
		required: []string{"MATTERMOST_URL", "MATTERMOST_TOKEN", "MATTERMOST_TEAM"},
		optional: []string{"MATTERMOST_COMMAND_TOKEN"},
		hint:     "see docs/mattermost.md",
	},
	{
		name:     "matrix",
		required: []string{"MATRIX_HOMESERVER_URL", "MATRIX_USER_ID"},
		anyOf:    []string{"MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD"},
		hint:     "see docs/matrix.md",
	},
}

// variables lists every variable the platform reads.
func (p platformEnv) variables() []string {
	return slices.Concat(p.required, p.anyOf, p.optional)
}

// unknownPlatform is the error for a GIGABOT_PLATFORM value no platform has.
func unknownPlatform(name string) error {
	names := make([]string, len(platformEnvs))
	for i, p := range platformEnvs {
		names[i] = p.name
	}
	return fmt.Errorf("GIGABOT_PLATFORM: unknown platform %q (use %s)", name, strings.Join(names, ", "))
}

// platformFromEnv reads GIGABOT_PLATFORM (console when unset) and logs it.
// It refuses a platform whose required variables are not all set, naming
// every missing one, before anything is opened: a bot that cannot reach its
// chat should not start and look healthy. Variables of another platform
// are ignored, and a warning names them, since they usually mean the env
// file chose the wrong platform. Values are never logged.
func platformFromEnv(getenv func(string) string, log *slog.Logger) (string, error) {
	name := strings.TrimSpace(getenv("GIGABOT_PLATFORM"))
	if name == "" {
		name = "console"
	}
	i := slices.IndexFunc(platformEnvs, func(p platformEnv) bool { return p.name == name })
	if i < 0 {
		return "", unknownPlatform(name)
	}
	chosen := platformEnvs[i]
	set := func(k string) bool { return strings.TrimSpace(getenv(k)) != "" }
	var missing []string
	for _, k := range chosen.required {
		if !set(k) {
			missing = append(missing, k)
		}
	}
	if len(chosen.anyOf) > 0 && !slices.ContainsFunc(chosen.anyOf, set) {
		missing = append(missing, "either "+strings.Join(chosen.anyOf, " or "))
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("GIGABOT_PLATFORM is %s but these are not set: %s (%s)",
			name, strings.Join(missing, ", "), chosen.hint)
	}
	log.Info("chat platform", "platform", name)
	for _, other := range platformEnvs {
		if other.name == name {
			continue
		}
		if ignored := slices.DeleteFunc(other.variables(), func(k string) bool { return !set(k) }); len(ignored) > 0 {
			log.Warn("variables of another chat platform are set and ignored: check GIGABOT_PLATFORM",
				"platform", name, "other_platform", other.name, "variables", ignored)
		}
	}
	return name, nil
}
