package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
)

// uploadAttempts bounds the tries of each step of a file's upload: the
// message is posted already, so a file Slack keeps refusing is given up
// rather than holding the bot's next posts.
const uploadAttempts = 4

// share uploads a message's files into a channel, after the message, each
// as its own file share. A file that cannot be shared is logged and left
// out: the message's text is complete without it, and failing the post
// would have the bot send the text again.
func (a *Adapter) share(ctx context.Context, channelID string, files []bot.File) {
	for _, f := range files {
		if err := a.upload(ctx, channelID, f); err != nil {
			a.log.Warn("slack: a file could not be shared: the message went without it",
				"file", f.Name, "channel", a.dir.channelName(channelID), "err", err)
		}
	}
}

// errEmptyFile: Slack refuses a file of no bytes.
var errEmptyFile = errors.New("the file is empty")

// upload shares one file through Slack's external upload: it asks for an
// upload URL (files.getUploadURLExternal), sends the bytes there, then
// shares the file in the channel (files.completeUploadExternal). The
// file's description is its alt text and its title.
func (a *Adapter) upload(ctx context.Context, channelID string, f bot.File) error {
	if len(f.Data) == 0 {
		return errEmptyFile
	}
	var target *slack.GetUploadURLExternalResponse
	err := a.callAtMost(ctx, uploadAttempts, "files.getUploadURLExternal", "", func(ctx context.Context) (err error) {
		target, err = a.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
			FileName: f.Name, FileSize: len(f.Data), AltTxt: f.Alt,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("files.getUploadURLExternal: %s: %w", describe(err), err)
	}
	err = a.callAtMost(ctx, uploadAttempts, "upload_url", "", func(ctx context.Context) error {
		return a.api.UploadToURL(ctx, slack.UploadToURLParameters{
			UploadURL: target.UploadURL, Reader: bytes.NewReader(f.Data), Filename: f.Name,
		})
	})
	if err != nil {
		return fmt.Errorf("send the file's bytes: %w", withoutURL(err))
	}
	title := f.Alt
	if title == "" {
		title = f.Name
	}
	err = a.callAtMost(ctx, uploadAttempts, "files.completeUploadExternal", channelID, func(ctx context.Context) error {
		_, err := a.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: target.FileID, Title: title}}, Channel: channelID,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("files.completeUploadExternal: %s: %w", describe(err), err)
	}
	return nil
}

// directMessage opens (or finds) the direct message channel with a user,
// where the files of an answer only the user sees go: a file cannot be
// ephemeral.
func (a *Adapter) directMessage(ctx context.Context, userID string) (string, error) {
	var ch *slack.Channel
	err := a.callAtMost(ctx, uploadAttempts, "conversations.open", "", func(ctx context.Context) (err error) {
		ch, _, _, err = a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("conversations.open: %s: %w", describe(err), err)
	}
	return ch.ID, nil
}

// shareWithUser uploads the files of an answer only userID sees into the
// direct message with them.
func (a *Adapter) shareWithUser(ctx context.Context, userID string, files []bot.File) {
	if len(files) == 0 {
		return
	}
	dm, err := a.directMessage(ctx, userID)
	if err != nil {
		a.log.Warn("slack: the files of an answer could not be sent: the answer went without them",
			"files", len(files), "err", err)
		return
	}
	a.share(ctx, dm, files)
}
