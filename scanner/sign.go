package scanner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed report.
const (
	HeaderTimestamp = "X-Gigabot-Timestamp"
	HeaderSignature = "X-Gigabot-Signature"
)

// MaxSkew is how far a report's timestamp may be from the bot's clock.
const MaxSkew = 5 * time.Minute

// ErrBadSignature is returned for a missing or wrong signature or timestamp.
var ErrBadSignature = errors.New("bad signature")

// Sign returns the signature header value of body sent at timestamp (Unix
// seconds): "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signed body: the timestamp within MaxSkew of now and the
// signature, compared in constant time. Errors wrap ErrBadSignature.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no secret configured", ErrBadSignature)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s is not Unix seconds", ErrBadSignature, HeaderTimestamp)
	}
	if skew := now.Sub(time.Unix(ts, 0)); skew > MaxSkew || skew < -MaxSkew {
		return fmt.Errorf("%w: timestamp is %s off (more than %s)", ErrBadSignature, skew.Round(time.Second), MaxSkew)
	}
	hexSig, ok := strings.CutPrefix(signature, "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return fmt.Errorf("%w: %s must be sha256=HEX", ErrBadSignature, HeaderSignature)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, timestamp, body), "sha256="))
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%w: signature does not match", ErrBadSignature)
	}
	return nil
}
