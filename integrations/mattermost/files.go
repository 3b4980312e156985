package mattermost

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// maxFilesPerPost is how many files Mattermost attaches to one post.
const maxFilesPerPost = 10

// errEmptyFile: the server refuses a file of no bytes.
var errEmptyFile = errors.New("the file is empty")

// upload sends a post's files to a channel, before the post, and returns
// the ids of those the server took. A file it refuses is logged and left
// out: the post's text is complete without it.
func (a *Adapter) upload(ctx context.Context, channelID string, files []bot.File) []string {
	var ids []string
	for i, f := range files {
		if i == maxFilesPerPost {
			a.log.Warn("mattermost: too many files for one post: the post goes without the rest", "files", len(files), "kept", maxFilesPerPost)
			break
		}
		id, err := a.uploadFile(ctx, channelID, f)
		if err != nil {
			a.log.Warn("mattermost: a file could not be uploaded: the post goes without it", "file", f.Name, "err", err)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

func (a *Adapter) uploadFile(ctx context.Context, channelID string, f bot.File) (string, error) {
	if len(f.Data) == 0 {
		return "", errEmptyFile
	}
	res, err := retryValue(ctx, a, "upload a file", func() (*model.FileUploadResponse, *model.Response, error) {
		return a.client.UploadFile(ctx, f.Data, channelID, f.Name)
	})
	if err != nil {
		return "", err
	}
	if len(res.FileInfos) != 1 {
		return "", fmt.Errorf("upload a file: the server answered with %d files", len(res.FileInfos))
	}
	return res.FileInfos[0].Id, nil
}

// shareReplyFiles posts the files of a slash command's answer, which the
// command's response cannot carry: in the command's channel when the
// answer is public, else in the caller's direct message with the bot. The
// post says what the files are; Mattermost has no alt text for them.
func (a *Adapter) shareReplyFiles(ctx context.Context, route replyRoute, files []bot.File) {
	if len(files) == 0 {
		return
	}
	channelID := route.channelID
	if !route.public {
		var err error
		if channelID, err = a.openDirect(ctx, route.userID); err != nil {
			a.log.Warn("mattermost: the files of an answer could not be sent: the answer went without them", "files", len(files), "err", err)
			return
		}
	}
	ids := a.upload(ctx, channelID, files)
	if len(ids) == 0 {
		return
	}
	if _, err := a.create(ctx, &model.Post{ChannelId: channelID, Message: describeFiles(files), FileIds: ids}); err != nil {
		a.log.Warn("mattermost: the files of an answer could not be posted", "files", len(ids), "err", err)
	}
}

// describeFiles lists the files' descriptions (or names), one a line.
func describeFiles(files []bot.File) string {
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = f.Alt
		if f.Alt == "" {
			lines[i] = f.Name
		}
	}
	return strings.Join(lines, "\n")
}
