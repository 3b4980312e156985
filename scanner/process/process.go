// Package process changes how gigascan's own process runs on a production
// file server: at a lower CPU and I/O priority (LowerPriority), and on
// Windows with the right to read every file for a backup (EnableBackup).
// It imports nothing of the bot.
package process
