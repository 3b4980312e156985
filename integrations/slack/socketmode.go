package slack

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/gigabot/gigabot/bot"
)

// runSocket holds the Socket Mode connection until ctx ends. The SDK
// reconnects with exponential backoff (up to 5 minutes) and when Slack asks
// it to; it gives up only when Slack refuses the app token. Each connection
// after the first is counted as a reconnection.
func (a *Adapter) runSocket(ctx context.Context, h bot.Handler) error {
	client := socketmode.New(a.api, socketmode.OptionLog(sdkLog{a.log}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	connected := false
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %s: %w (check SLACK_APP_TOKEN)", describe(err), err)
		case evt := <-client.Events:
			if evt.Type == socketmode.EventTypeConnected {
				if connected {
					a.reconnects.Reconnect(platform)
				}
				connected = true
			}
			a.onSocketEvent(client, evt, h)
		}
	}
}

// acker acknowledges Socket Mode envelopes. *socketmode.Client fits.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// onSocketEvent handles one Socket Mode event. Events API envelopes,
// commands and clicks are all acknowledged at once and handled in the
// background (see receive).
func (a *Adapter) onSocketEvent(client acker, evt socketmode.Event, h bot.Handler) {
	ack := func(payload ...any) {
		if evt.Request == nil {
			return
		}
		if err := client.Ack(*evt.Request, payload...); err != nil {
			a.log.Error("slack: socket mode ack", "envelope", evt.Request.EnvelopeID, "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		e, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			ack()
			return
		}
		// Shutting down, receive starts nothing: left unacknowledged, the
		// envelope comes again, to a replica that runs.
		if a.receive(h, e, evt.Request.RetryAttempt, evt.Request.RetryReason) {
			ack()
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			ack()
			return
		}
		if answer := a.slashCommand(cmd, h); answer != nil {
			ack(answer)
		} else {
			ack()
		}
	case socketmode.EventTypeInteractive:
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			a.interaction(cb, h)
		}
		ack()
	case socketmode.EventTypeConnecting:
		a.log.Debug("slack: socket mode connecting")
	case socketmode.EventTypeConnected:
		a.log.Info("slack: socket mode connected")
	case socketmode.EventTypeConnectionError:
		if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			a.log.Warn("slack: socket mode connection failed: retrying", "attempt", ce.Attempt, "retry_in", ce.Backoff, "err", ce.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack: socket mode: Slack refused the app token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack: socket mode", "event", string(evt.Type), "err", socketError(evt.Data))
	case socketmode.EventTypeDisconnect:
		a.log.Info("slack: socket mode: Slack asked to reconnect")
	}
}

// socketError extracts the cause of a Socket Mode error event, leaving out
// the raw message it may carry (people's messages have no place in logs).
func socketError(data any) error {
	switch e := data.(type) {
	case *socketmode.ErrorBadMessage:
		return e.Cause
	case *socketmode.ErrorWriteFailed:
		return e.Cause
	case *slack.IncomingEventError:
		return e.ErrorObj
	}
	return fmt.Errorf("%T", data)
}

// sdkLog sends the SDK's own log lines to the adapter's logger, at debug level.
type sdkLog struct{ log *slog.Logger }

func (l sdkLog) Output(_ int, s string) error {
	l.log.Debug("slack sdk: " + strings.TrimSpace(s))
	return nil
}
